import type { CallCounter } from '../../../src/sandbox/proxy/call-counters';
import type { BenchWorld } from '../bench-world';
import { finished } from '../bench-world';
import { proxyCallsByBucket, quotaBoundSeconds } from '../quota-bound';
import { round } from '../stats';

export interface EvacuationReport {
  wallSeconds: number;
  operationId: string;
  state: string;
  calls: Record<string, number>;
  throttled: number;
  retries: number;
  failedCalls: number;
  totalCalls: number;
  route53ChangeRequestsPerStage: number[];
  route53ChangeRequestsAllowedPerStage: number[];
  lastUpdateSeconds: number;
  /** Seconds the API took to accept, and each step's duration: where the time went. */
  acceptSeconds: number;
  steps: Record<string, number>;
  /** Calls answered, per quota bucket and action, as the proxy counted them (set beside the bound's count). */
  proxyCallsByBucket: Record<string, Record<string, number>>;
}

/**
 * Evacuate the first region through the API and measure it from the request to the end of
 * the operation, with the calls the proxy saw (AWS's view) and the retries lifeboat made.
 * Paced in stages: the quota bound counts the planned stages' Route 53 changes.
 */
export async function runEvacuation(world: BenchWorld, stages: number): Promise<EvacuationReport> {
  await world.proxy.resetCounters();
  const started = Date.now();
  const res = await world.call('POST', '/v1/operations', { kind: 'evacuate', region: world.spec.regions[0], stages, pace: 'stages' });
  const acceptSeconds = (Date.now() - started) / 1000;
  if (res.status !== 202) throw new Error(`evacuation refused: ${JSON.stringify(res.body)}`);
  const op = await finished(world, res.body.operation.id);
  const wallSeconds = (Date.now() - started) / 1000;
  const counters = await world.proxy.counters();
  const calls: Record<string, number> = {};
  for (const c of counters) calls[`${c.service}:${c.action}`] = (calls[`${c.service}:${c.action}`] ?? 0) + c.count;
  const changesPerStage = (op.plan?.stages ?? []).map((s: { weights: unknown[] }) => s.weights.length);
  const changeRequests = counters.filter((c: CallCounter) => c.action === 'ChangeResourceRecordSets' && c.outcome === 'ok').reduce((a, c) => a + c.count, 0);
  const updates = counters.filter((c) => c.action === 'UpdateAutoScalingGroup' && c.outcome === 'ok');
  return {
    wallSeconds: round(wallSeconds, 2),
    operationId: op.id,
    state: op.state,
    calls,
    throttled: counters.filter((c) => c.outcome === 'throttled').reduce((a, c) => a + c.count, 0),
    retries: op.result?.awsCalls?.retries ?? 0,
    failedCalls: op.result?.awsCalls?.failures ?? 0,
    totalCalls: counters.reduce((a, c) => a + c.count, 0),
    // One request per stage here (one zone); the API process's submit-time reads are in the totals.
    route53ChangeRequestsPerStage: changesPerStage.map(() => changeRequests / Math.max(1, changesPerStage.length)),
    route53ChangeRequestsAllowedPerStage: changesPerStage.map((n: number) => Math.ceil((2 * n) / 1000)),
    lastUpdateSeconds: round((Math.max(...updates.map((u) => u.lastAt), started) - started) / 1000, 2),
    acceptSeconds: round(acceptSeconds, 3),
    proxyCallsByBucket: proxyCallsByBucket(counters),
    steps: Object.fromEntries(
      (op.steps as Array<{ id: string; startedAt?: string; finishedAt?: string }>).map((s) => [
        s.id,
        s.startedAt && s.finishedAt ? round((new Date(s.finishedAt).getTime() - new Date(s.startedAt).getTime()) / 1000, 3) : 0,
      ]),
    ),
  };
}

/**
 * The quota bound of this evacuation (quota-bound.ts), with its calls per bucket set beside
 * the proxy's count of the same run: `callsMatch` says the bound counts every call the
 * evacuation made, no more and no fewer; `mismatches` lists where they differ.
 */
export function evacuationBound(world: BenchWorld, report: EvacuationReport, latencyMs: number, capacityFloorSeconds = 0) {
  const first = world.spec.regions[0]!;
  const services = world.spec.services.length;
  const changedPerStage = (report.route53ChangeRequestsAllowedPerStage.length ? report.route53ChangeRequestsAllowedPerStage : [0]).map(() => services * world.spec.regions.length);
  const bound = quotaBoundSeconds({
    regions: world.spec.regions.map((r) => ({ region: r, groups: services, changed: r === first ? 0 : services })),
    zones: 1,
    records: services * world.spec.regions.length + 2,
    recordsChangedPerStage: changedPerStage,
    latencyMs,
    capacityFloorSeconds,
  });
  const mismatches: Array<{ bucket: string; action: string; bound: number; proxy: number }> = [];
  const names = new Set([...bound.buckets.map((b) => b.name), ...Object.keys(report.proxyCallsByBucket)]);
  for (const name of names) {
    const counted = bound.buckets.find((b) => b.name === name)?.actions ?? {};
    const seen = report.proxyCallsByBucket[name] ?? {};
    for (const action of new Set([...Object.keys(counted), ...Object.keys(seen)])) {
      if ((counted[action] ?? 0) !== (seen[action] ?? 0)) mismatches.push({ bucket: name, action, bound: counted[action] ?? 0, proxy: seen[action] ?? 0 });
    }
  }
  const calls = (byAction: Record<string, number>) => Object.values(byAction).reduce((a, n) => a + n, 0);
  return {
    ...bound,
    perBucket: [...names].sort().map((name) => ({ bucket: name, bound: calls(bound.buckets.find((b) => b.name === name)?.actions ?? {}), proxy: calls(report.proxyCallsByBucket[name] ?? {}) })),
    callsMatch: mismatches.length === 0,
    mismatches,
  };
}

/**
 * Restore the evacuated region with scale-down, so the next run starts from the seeded fleet;
 * fails the bench when the fleet is not back to the seeded sizes and weights (the next run
 * would then measure a different evacuation).
 */
export async function restoreAfter(world: BenchWorld): Promise<void> {
  const res = await world.call('POST', '/v1/operations', { kind: 'restore', region: world.spec.regions[0], scaleDownSurvivors: true });
  if (res.status !== 202) throw new Error(`restore refused: ${JSON.stringify(res.body)}`);
  const op = await finished(world, res.body.operation.id);
  if (op.state !== 'succeeded') throw new Error(`restore ${op.state}: ${JSON.stringify(op.error)}`);
  const fleet = await world.call('GET', '/v1/fleet?fresh=true');
  const capacity = fleet.body.snapshot.capacity as Array<{ service: string; region: string; desiredCapacity: number }>;
  const off = capacity.filter((c) => c.desiredCapacity !== world.spec.services.find((s) => s.name === c.service)!.regions[c.region]!.desired);
  if (off.length > 0) throw new Error(`after the restore, ${off.length} group(s) do not run their seeded size, e.g. ${JSON.stringify(off[0])}`);
}
