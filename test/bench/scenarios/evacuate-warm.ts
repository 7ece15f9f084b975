import '../bench-env';
import type { BenchWorld, WorldOptions } from '../bench-world';
import { finished, startWorld } from '../bench-world';
import { round } from '../stats';

/**
 * evacuate-warm: the same evacuation twice, on two identical fleets behind the same proxy
 * profile: once launching every new instance cold, once after prepare-dark-capacity sized warm
 * pools to cover the growth (instances come from the pool after the profile's warm delay).
 * Time to mitigate is from the request until the failing region's weight 0 is in sync (the
 * last stage's DNS wait done), read from the operation's own step times (or its result, when
 * it reports timeToMitigateSeconds). Target: warm at most 0.5 × cold; both absolute figures
 * are reported beside the ratio.
 */

/** 90 s launch + 30 s warm-up cold, 20 s from a warm pool, 30 s DNS: AWS's figures, scaled down. */
export function warmProfile(scale: number, latencyMs: number): WorldOptions['proxy'] {
  return {
    name: 'realistic-warm-scaled',
    timeScale: 1 / scale,
    latency: { fixedMs: latencyMs, jitterMs: 0 },
    throttling: { enabled: true },
    launch: { launchSeconds: 90, warmupSeconds: 30, warmLaunchSeconds: 20 },
    dns: { propagationSeconds: 30 },
  };
}

interface Timeline {
  operationId: string;
  state: string;
  wallSeconds: number;
  /** Request → the failing region's weight 0 in sync everywhere. */
  timeToMitigateSeconds: number;
  awaitCapacitySeconds: number;
  /** Per survivor, growth covered warm and launched cold, as the plan said. */
  warm: number;
  cold: number;
}

const seconds = (from: number, iso: string | undefined) => (iso ? round((Date.parse(iso) - from) / 1000, 2) : Number.NaN);

async function evacuate(world: BenchWorld, stages: number): Promise<Timeline> {
  const started = Date.now();
  // Capacity pacing (the default for evacuate) in both arms, said outright: the comparison is of capacity arriving, not of pacing.
  const res = await world.call('POST', '/v1/operations', { kind: 'evacuate', region: world.spec.regions[0], stages, pace: 'capacity' });
  if (res.status !== 202) throw new Error(`evacuation refused: ${JSON.stringify(res.body)}`);
  const op = await finished(world, res.body.operation.id);
  const wallSeconds = round((Date.now() - started) / 1000, 2);
  const steps = op.steps as Array<{ id: string; startedAt?: string; finishedAt?: string }>;
  const lastDns = steps.filter((s) => /^stage-\d+\/await-dns$/.test(s.id)).at(-1);
  const capacity = steps.find((s) => s.id === 'await-capacity');
  const coverage = (op.plan?.warmCoverage ?? []) as Array<{ warm: number; cold: number }>;
  const growth = (op.plan?.groupChanges ?? []) as Array<{ from: { desiredCapacity: number }; to: { desiredCapacity: number } }>;
  const grown = growth.reduce((a, c) => a + Math.max(0, c.to.desiredCapacity - c.from.desiredCapacity), 0);
  const warm = coverage.reduce((a, c) => a + c.warm, 0);
  // The operation's own relief figures (time from acceptance until the region is at 0 and in sync).
  const reported = op.result?.relief?.mitigateSeconds;
  return {
    operationId: op.id,
    state: op.state,
    wallSeconds,
    timeToMitigateSeconds: typeof reported === 'number' ? round(reported, 2) : seconds(started, lastDns?.finishedAt),
    awaitCapacitySeconds: capacity?.startedAt && capacity.finishedAt ? round((Date.parse(capacity.finishedAt) - Date.parse(capacity.startedAt)) / 1000, 2) : 0,
    warm,
    cold: grown - warm,
  };
}

/** prepare-dark-capacity through the API, as an operator would run it before the outage. */
async function prepareDarkCapacity(world: BenchWorld): Promise<{ pools: number; seconds: number }> {
  const started = Date.now();
  const res = await world.call('POST', '/v1/operations', { kind: 'prepare-dark-capacity', reason: 'bench: N+1 from warm pools' });
  if (res.status !== 202) throw new Error(`prepare-dark-capacity refused: ${JSON.stringify(res.body)}`);
  const op = await finished(world, res.body.operation.id);
  if (op.state !== 'succeeded') throw new Error(`prepare-dark-capacity ${op.state}: ${JSON.stringify(op.error)}`);
  return { pools: op.result?.warmPoolsChanged ?? 0, seconds: round((Date.now() - started) / 1000, 2) };
}

/**
 * Both evacuations start from full quota buckets (Route 53's 50 at 10/s refill in 5 s): the
 * warm arm's prepare-dark-capacity (PutWarmPool and its reads, on Auto Scaling's buckets) is
 * what an operator runs before the outage, not seconds before it, and it must not leave the
 * evacuation behind it with drained buckets the cold arm does not have.
 */
const REFILL_MS = 5000;
const refilled = () => new Promise((r) => setTimeout(r, REFILL_MS));

export interface EvacuateWarmOptions {
  regions: string[];
  services: number;
  stages: number;
  scale: number;
  latencyMs: number;
  say: (line: string) => void;
}

export async function runEvacuateWarm(o: EvacuateWarmOptions) {
  const dwellSeconds = 60 / o.scale;
  const world = (): Promise<BenchWorld> =>
    startWorld({
      regions: o.regions,
      services: o.services,
      desired: 4,
      proxy: warmProfile(o.scale, o.latencyMs),
      // A generous plan-read deadline, the same for both: a machine shared with other work answers late, and this compares capacity, not reads.
      env: { LIFEBOAT_DWELL: String(dwellSeconds), LIFEBOAT_CAPACITY_POLL_MS: '250', LIFEBOAT_DNS_POLL_MS: '100', LIFEBOAT_PLAN_READ_TIMEOUT_MS: '20000' },
    });
  const coldWorld = await world();
  let cold: Timeline;
  try {
    await refilled();
    cold = await evacuate(coldWorld, o.stages);
    o.say(`  without warm pools: ${cold.state}, time to mitigate ${cold.timeToMitigateSeconds} s (capacity wait ${cold.awaitCapacitySeconds} s)`);
  } finally {
    await coldWorld.stop();
  }
  const warmWorld = await world();
  let warm: Timeline;
  let prepared: { pools: number; seconds: number };
  try {
    prepared = await prepareDarkCapacity(warmWorld);
    await refilled();
    warm = await evacuate(warmWorld, o.stages);
    o.say(`  with warm pools (${prepared.pools} set in ${prepared.seconds} s): ${warm.state}, time to mitigate ${warm.timeToMitigateSeconds} s (capacity wait ${warm.awaitCapacitySeconds} s; ${warm.warm} warm, ${warm.cold} cold)`);
  } finally {
    await warmWorld.stop();
  }
  return {
    profile: { coldLaunchSeconds: 120 / o.scale, warmLaunchSeconds: 20 / o.scale, dnsSeconds: 30 / o.scale, dwellSeconds, stages: o.stages, services: o.services },
    withoutWarmPools: cold,
    withWarmPools: { ...warm, poolsPrepared: prepared.pools, prepareSeconds: prepared.seconds },
    ratio: round(warm.timeToMitigateSeconds / cold.timeToMitigateSeconds, 3),
    /** The part warm pools change: the wait for capacity, warm over cold. */
    capacityWaitRatio: round(warm.awaitCapacitySeconds / Math.max(0.001, cold.awaitCapacitySeconds), 3),
  };
}

/** Alone: npx ts-node --transpile-only test/bench/scenarios/evacuate-warm.ts [--quick]; one JSON line. */
if (require.main === module) {
  const quick = process.argv.includes('--quick');
  runEvacuateWarm({ regions: ['us-east-1', 'us-west-2', 'eu-west-1'], services: quick ? 10 : 100, stages: 2, scale: 30, latencyMs: 20, say: (l) => process.stderr.write(`${l}\n`) })
    .then((r) => process.stdout.write(`${JSON.stringify({ evacuateWarm: r, target: '≤ 0.5', met: r.ratio <= 0.5 })}\n`))
    .catch((e) => {
      process.stderr.write(`evacuate-warm failed: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    });
}
