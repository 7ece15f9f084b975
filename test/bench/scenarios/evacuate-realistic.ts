import type { DemoFleetSpec } from '../../../src/sandbox/fleet/seed-fleet';
import type { ProxyProfileInput } from '../../../src/sandbox/proxy/proxy-profile';
import type { BenchWorld } from '../bench-world';
import { finished, startWorld } from '../bench-world';
import { round } from '../stats';

/**
 * evacuate-realistic: the same evacuation paced by stages (wait for all the capacity, then
 * the stages) and by capacity (the headroom at once, the rest as it arrives), side by side
 * in the same run, each on a fresh copy of the same fleet behind the same proxy (launch and
 * warm-up, DNS propagation, AWS quotas). Survivors run 30 % more than their share needs:
 * every group is tagged with its capacity per instance and the throughput model is given a
 * demand that its instances serve 1.3 times over. What is compared is what users feel: the
 * time until the failing region's traffic first goes down, and the impact (share-seconds
 * left on it), both from the operation's acceptance.
 */

const CAPACITY_PER_INSTANCE = 100;
const UTILIZATION = 0.6; // the throughput model's default
export const SURVIVOR_HEADROOM = 0.3;

export interface RealisticOptions {
  regions: string[];
  services: number;
  desired: number;
  proxy: ProxyProfileInput;
  env: Record<string, string>;
  /** One DNS propagation, in real seconds (the proxy's, scaled). */
  dnsSeconds: number;
}

export interface PacedRun {
  pace: 'stages' | 'capacity';
  state: string;
  /** Why it failed, when it did. */
  error?: string;
  wallSeconds: number;
  firstReliefSeconds?: number;
  mitigateSeconds?: number;
  impactShareSeconds: number;
  stagesApplied: number;
  steps: Record<string, number>;
}

/** Every service in every region with `desired` instances that serve (1 + headroom) × its third of the demand. */
export function headroomSpec(regions: string[], services: number, desired: number): DemoFleetSpec {
  return {
    regions,
    services: Array.from({ length: services }, (_, i) => {
      const name = `svc${String(i).padStart(3, '0')}`;
      return {
        name,
        dns: `${name}.example.com`,
        capacityPerInstance: CAPACITY_PER_INSTANCE,
        regions: Object.fromEntries(regions.map((r) => [r, { desired, min: 1, max: desired * 4, weight: 100 }])),
      };
    }),
  };
}

/** The demand (requests/s) whose even share each region's `desired` instances serve with the headroom to spare. */
export function demandWithHeadroom(regions: number, desired: number): number {
  return (regions * desired * CAPACITY_PER_INSTANCE * UTILIZATION) / (1 + SURVIVOR_HEADROOM);
}

async function evacuate(world: BenchWorld, pace: PacedRun['pace'], demand: number): Promise<PacedRun> {
  const started = Date.now();
  const res = await world.call('POST', '/v1/operations', { kind: 'evacuate', region: world.spec.regions[0], pace, stages: 2, model: 'throughput', parameters: { demand } });
  if (res.status !== 202) throw new Error(`evacuation refused: ${JSON.stringify(res.body)}`);
  const op = await finished(world, res.body.operation.id);
  const relief = op.result?.relief ?? {};
  return {
    pace,
    state: op.state,
    ...(op.error ? { error: `${op.error.code}: ${op.error.message}` } : {}),
    wallSeconds: round((Date.now() - started) / 1000, 2),
    ...(relief.firstReliefSeconds !== undefined ? { firstReliefSeconds: round(relief.firstReliefSeconds, 2) } : {}),
    ...(relief.mitigateSeconds !== undefined ? { mitigateSeconds: round(relief.mitigateSeconds, 2) } : {}),
    impactShareSeconds: round(relief.impactShareSeconds ?? NaN, 3),
    stagesApplied: op.result?.stagesApplied ?? 0,
    steps: Object.fromEntries(
      (op.steps as Array<{ id: string; startedAt?: string; finishedAt?: string }>).map((s) => [
        s.id,
        s.startedAt && s.finishedAt ? round((Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000, 3) : 0,
      ]),
    ),
  };
}

/** Both paces, each on its own fresh world, one after the other; the ratios are of figures from this same run. */
export async function runEvacuateRealistic(options: RealisticOptions, say: (line: string) => void) {
  const demand = demandWithHeadroom(options.regions.length, options.desired);
  const runs: Record<string, PacedRun> = {};
  for (const pace of ['stages', 'capacity'] as const) {
    const world = await startWorld({ ...options, spec: headroomSpec(options.regions, options.services, options.desired) });
    try {
      runs[pace] = await evacuate(world, pace, demand);
      say(`  pace ${pace}: ${runs[pace].state}; first relief ${runs[pace].firstReliefSeconds} s, mitigated ${runs[pace].mitigateSeconds} s, impact ${runs[pace].impactShareSeconds} share-s`);
    } finally {
      await world.stop();
    }
  }
  const stages = runs.stages!;
  const capacity = runs.capacity!;
  const reliefTarget = 2 + options.dnsSeconds;
  return {
    state: stages.state === 'succeeded' && capacity.state === 'succeeded' ? 'succeeded' : `stages ${stages.state}, capacity ${capacity.state}`,
    survivorHeadroom: SURVIVOR_HEADROOM,
    services: options.services,
    stages,
    capacity,
    /** impact(capacity) ÷ impact(stages): target ≤ 0.5. */
    impactRatio: round(capacity.impactShareSeconds / stages.impactShareSeconds, 3),
    /** first relief(capacity) ÷ first relief(stages), for scale. */
    firstReliefRatio: round((capacity.firstReliefSeconds ?? NaN) / (stages.firstReliefSeconds ?? NaN), 3),
    /** Target for capacity pacing's first relief: 2 s + one DNS propagation. */
    firstReliefTargetSeconds: round(reliefTarget, 2),
  };
}
