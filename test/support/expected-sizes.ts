import type { AwsState } from './moto-fleet';

/**
 * What an evacuation should leave, worked out from the fleet as moto holds it, by the rule the
 * default model (models/proportional.yaml) states in words, written out here on its own rather
 * than taken from the model code: each survivor keeps what it runs for the share it serves today
 * and adds, for the share it gains, its own instances per unit of share times that gain, plus
 * 10 % headroom (the model's documented default), rounded up to whole instances. Shares follow
 * the DNS weights; an evacuated region's traffic goes to the survivors in proportion to theirs.
 */
export const DEFAULT_HEADROOM = 0.1;

export function survivorTargets(state: AwsState, dns: string, service: string, evacuated: string): Record<string, number> {
  const weights = state.weights[dns]!;
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  const survivorsTotal = Object.entries(weights)
    .filter(([r]) => r !== evacuated)
    .reduce((a, [, w]) => a + w, 0);
  const out: Record<string, number> = {};
  for (const [region, weight] of Object.entries(weights)) {
    if (region === evacuated || weight === 0) continue;
    const share = weight / total;
    const target = weight / survivorsTotal;
    const current = state.groups[`${region}/${service}-${region}`]![1];
    const perShare = current / share;
    // Tolerant rounding: 9.3000000001 from floating point is still 10, 10.0000000001 is 10.
    out[region] = Math.ceil(current + perShare * (target - share) * (1 + DEFAULT_HEADROOM) - 1e-9);
  }
  return out;
}
