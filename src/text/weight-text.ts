import type { Stage } from '../core/planner/plan-types';
import { percent } from './units';

/** One region's weight for one DNS name: what it is set to, and, when known, what it was and the share it gives. */
export interface WeightShown {
  name: string;
  region: string;
  weight: number;
  from?: number;
  share?: number;
}

/**
 * Weights, one line per DNS name, regions in the order given:
 * `weights api.example.com: us-east-1 100→0 (0.0%), us-west-2 100→150 (50.0%)`.
 */
export function weightLines(weights: readonly WeightShown[], indent: string): string[] {
  const byName = new Map<string, string[]>();
  for (const w of weights) {
    const value = w.from !== undefined && w.from !== w.weight ? `${w.from}→${w.weight}` : String(w.weight);
    const share = w.share !== undefined ? ` (${percent(w.share)})` : '';
    byName.set(w.name, [...(byName.get(w.name) ?? []), `${w.region} ${value}${share}`]);
  }
  return [...byName].map(([name, parts]) => `${indent}weights ${name}: ${parts.join(', ')}`);
}

/** A plan stage's weights as weightLines shows them: from → to and the share after, once per name and region (its record types move together). */
export function stageWeights(stage: Pick<Stage, 'weights' | 'traffic'>): WeightShown[] {
  const shown = new Map<string, WeightShown>();
  for (const w of stage.weights) {
    const key = `${w.name}\u0000${w.region}`;
    if (shown.has(key)) continue;
    const share = stage.traffic.find((t) => t.name === w.name && t.region === w.region)?.share;
    shown.set(key, { name: w.name, region: w.region, weight: w.to, from: w.from, ...(share !== undefined ? { share } : {}) });
  }
  return [...shown.values()];
}

/** Traffic shares, one line per DNS name, regions in the order given: `api.example.com: us-east-1 50.0%, us-west-2 25.0%`. */
export function shareLines(traffic: ReadonlyArray<{ name: string; region: string; share: number }>, prefix: string): string[] {
  const byName = new Map<string, string[]>();
  for (const t of traffic) byName.set(t.name, [...(byName.get(t.name) ?? []), `${t.region} ${percent(t.share)}`]);
  return [...byName].map(([name, parts]) => `${prefix}${name}: ${parts.join(', ')}`);
}
