import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsCloud } from '../../src/cloud/aws/aws-cloud';
import type { FleetSnapshot } from '../../src/core/fleet';
import type { MeasuredDemand } from '../../src/core/load/peak-ahead';
import type { Plan } from '../../src/core/planner/plan-types';
import { getOperation } from '../../src/operations/activity';
import { takeSnapshot } from '../../src/operations/fleet-snapshot';
import { planRequest } from '../../src/operations/plan-request';
import { submitOperation } from '../../src/operations/submit-operation';
import type { DemoFleetSpec } from '../../src/sandbox/fleet/seed-fleet';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import type { GroupHistory } from '../support/metric-history';
import { cpuHistory, writeHistories } from '../support/metric-history';
import type { MotoFleet } from '../support/moto-fleet';
import { DUMMY_CREDENTIALS, startMotoFleet } from '../support/moto-fleet';

/**
 * The measured model against moto's CloudWatch, with a week of history written by the test:
 * every day, the service's total demand is 900 instance-% in the hour before now (the
 * trough), 2400 two to three hours later (the peak), 1500 otherwise; a third in each region.
 * api runs 10 instances per region; web the same, but 30 (three times what it needs) in
 * us-west-2; search has no metric at all. test/reference/measured_reference.py computes the
 * expected figures from the points written.
 */
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const everywhere = (desired: number, max: number, overrides: Record<string, number> = {}) =>
  Object.fromEntries(REGIONS.map((r) => [r, { desired: overrides[r] ?? desired, min: 2, max, weight: 100 }]));
const SPEC: DemoFleetSpec = {
  regions: REGIONS,
  services: [
    { name: 'api', dns: 'api.example.com', regions: everywhere(10, 30) },
    { name: 'web', dns: 'www.example.com', regions: everywhere(10, 40, { 'us-west-2': 30 }) },
    { name: 'search', dns: 'search.example.com', regions: everywhere(4, 12) },
  ],
};
/** Total demand (instance-%) by hour slot: 23 is the hour before now, 0..3 the four hours ahead. */
const DAILY = (slot: number) => (slot === 23 ? 900 : slot === 2 ? 2400 : 1500);
/** A week and an hour, and one more hour in case the read comes a minute or two after the write. */
const HOURS = 7 * 24 + 2;

interface MeasuredFleet {
  fleet: MotoFleet;
  histories: GroupHistory[];
  lb: TestLifeboat;
}

/** A moto fleet seeded with SPEC and a week of the history above, and a lifeboat reading it. */
async function measuredFleet(): Promise<MeasuredFleet> {
  const fleet = await startMotoFleet(SPEC);
  const now = Math.floor(Date.now() / 60_000) * 60;
  const sizes = (service: string, region: string) => SPEC.services.find((s) => s.name === service)!.regions[region]!.desired;
  const histories = ['api', 'web'].flatMap((service) => REGIONS.map((region) => cpuHistory(region, `${service}-${region}`, now, HOURS, (slot) => DAILY(slot) / 3, sizes(service, region))));
  await writeHistories(fleet.endpoint, histories);
  return { fleet, histories, lb: testLifeboat(cloudOf(fleet)) };
}

async function stop(m: MeasuredFleet | undefined) {
  await m?.lb.close();
  await m?.fleet.stop();
}

// The fleet the read and the plans below only read; the ratchet, which changes its fleet, has its own.
let fleet: MotoFleet;
let histories: GroupHistory[];
let lb: TestLifeboat;
let shared: MeasuredFleet | undefined;

beforeAll(async () => {
  shared = await measuredFleet();
  ({ fleet, histories, lb } = shared);
}, 60_000);

afterAll(async () => {
  await stop(shared);
});

/** moto answers GetMetricData in time proportional to periods × points, slower still on a busy machine: a generous deadline. */
const cloudOf = (f: MotoFleet) => new AwsCloud({ regions: REGIONS, endpoint: f.endpoint, credentials: DUMMY_CREDENTIALS, maxAttempts: 3, loadMetrics: { timeoutMs: 60_000 } });
const cloud = () => cloudOf(fleet);

const evacuate = { kind: 'evacuate' as const, region: 'us-east-1' };
const servicePlan = (p: Plan, service: string) => p.services.find((s) => s.service === service)!;
const targetsOf = (p: Plan, service: string) => Object.fromEntries(servicePlan(p, service).regions.map((r) => [r.region, { required: r.required, target: r.target }]));

interface Reference {
  now: number;
  sizedFor: number;
  regions: Record<string, { required: number; target: number }>;
}

/** What test/reference/measured_reference.py computes from the points written and the end of lifeboat's read. */
function reference(snapshot: FleetSnapshot, horizonHours: number): Record<string, Reference> {
  const load = snapshot.load!;
  const input = {
    endsAt: load.endsAt,
    periodSeconds: load.periodSeconds,
    periods: load.periods,
    horizonHours,
    historyDays: 7,
    utilization: 0.6,
    headroom: 0.1,
    evacuate: 'us-east-1',
    services: Object.fromEntries(
      ['api', 'web'].map((service) => [
        service,
        {
          regions: Object.fromEntries(
            REGIONS.map((region) => {
              const h = histories.find((x) => x.group === `${service}-${region}`)!;
              const group = snapshot.groups.find((g) => g.name === h.group)!;
              return [region, { current: group.desiredCapacity, weight: 100, groups: [{ cpu: h.cpu.map((p) => [p.t, p.value]), instances: h.instances.map((p) => [p.t, p.value]) }] }];
            }),
          ),
        },
      ]),
    ),
  };
  const run = spawnSync('python3', [join(__dirname, '..', 'reference', 'measured_reference.py')], { input: JSON.stringify(input), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`measured_reference.py failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, Reference>;
}

describe('load read from moto’s CloudWatch', () => {
  it('returns a week of hourly history for every group that has one, and none for the one that has not', async () => {
    const snapshot = await takeSnapshot(cloud());
    expect(snapshot.load).toMatchObject({ periodSeconds: 3600, periods: 7 * 24 + 1 });
    const api = snapshot.load!.services.find((s) => s.service === 'api')!;
    expect(api).toMatchObject({ metric: 'AWS/EC2 CPUUtilization (Average)', unit: 'instance-%' });
    for (const series of api.demand) expect(series!.filter((v) => v !== null)).toHaveLength(7 * 24 + 1);
    expect(snapshot.warnings.filter((w) => w.code === 'LOAD_METRIC_MISSING').map((w) => w.group)).toEqual(['search-us-east-1', 'search-us-west-2', 'search-eu-west-1']);
  });
});

describe('planning with measured demand, against moto', () => {
  let snapshot: FleetSnapshot;
  let plan: Plan;
  let expected: Record<string, Reference>;

  beforeAll(async () => {
    const planned = await planRequest(evacuate, lb.deps, { fresh: true });
    snapshot = planned.snapshot;
    plan = planned.plan;
    expected = reference(snapshot, 4);
  });

  it('sizes a trough-time evacuation for the coming peak, as the reference computes', () => {
    expect(plan.blockers).toEqual([]);
    const demand = servicePlan(plan, 'api').demand as MeasuredDemand;
    expect(demand.now).toBeCloseTo(expected.api!.now, 6);
    expect(demand.sizedFor).toBeCloseTo(expected.api!.sizedFor, 6);
    expect(demand.sizedFor / demand.now).toBeCloseTo(2400 / 900, 6);
    expect(typeof demand.source === 'object' && demand.source.observed).toBeCloseTo(2400, 6);
    expect(targetsOf(plan, 'api')).toEqual(expected.api!.regions);
  });

  it('sized for now instead (horizon 0), the same survivors look big enough: the trough is what the peak ahead avoids', async () => {
    const now = (await planRequest({ ...evacuate, parameters: { horizon: 0 } }, lb.deps)).plan;
    expect(targetsOf(now, 'api')).toEqual(reference(snapshot, 0).api!.regions);
    expect(targetsOf(now, 'api')['us-west-2']!.target).toBe(10);
    expect(targetsOf(plan, 'api')['us-west-2']!.target).toBeGreaterThan(10);
  });

  it('gives a survivor running three times what it needs the same requirement as a right-sized one, and leaves it as it is', () => {
    expect(targetsOf(plan, 'web')).toEqual(expected.web!.regions);
    expect(targetsOf(plan, 'web')['us-west-2']).toEqual({ required: targetsOf(plan, 'api')['us-west-2']!.required, target: 30 });
    expect(targetsOf(plan, 'web')['eu-west-1']).toEqual(targetsOf(plan, 'api')['eu-west-1']);
  });

  it('falls back to proportional for a service without a metric, with a warning naming its groups and the metric', () => {
    expect(servicePlan(plan, 'search')).toMatchObject({ model: 'proportional', demand: { how: 'counts' }, fellBack: { from: 'measured' } });
    const warning = plan.warnings.find((w) => w.code === 'MODEL_FALLBACK')!;
    expect(warning.message).toMatch(/^search: sized by proportional \(demand estimated from instance counts\), not measured: search-us-east-1 in us-east-1 has no AWS\/EC2 CPUUtilization \(Average\) values in the last 7 days/);
  });
});

// One story in one test: the order (evacuate, restore, evacuate) is the behaviour under test. It changes
// its fleet's sizes, so it runs against a fleet of its own, not the one the plans above read.
describe('the ratchet sequence, as operations against moto: evacuate, restore (survivors keep their instances), evacuate', () => {
  let own: MeasuredFleet | undefined;
  beforeAll(async () => {
    own = await measuredFleet();
  }, 60_000);
  afterAll(async () => {
    await stop(own);
  });

  async function run(body: Record<string, unknown>) {
    const { lb } = own!;
    const submitted = await submitOperation(body, { actor: 'test' }, lb.deps);
    if (submitted.dryRun) throw new Error('not a dry run');
    const done = await lb.waitFor(submitted.operation.id, undefined, 60_000);
    expect(done.error).toBeUndefined();
    expect(done.state).toBe('succeeded');
    return (await getOperation(submitted.operation.id, lb.deps)).plan!;
  }
  const survivors = (p: Plan, service: string) => Object.fromEntries(servicePlan(p, service).regions.filter((r) => r.region !== 'us-east-1').map((r) => [r.region, r.target]));

  it('plans the same survivor targets the second time as the first; the service sized from counts ratchets up', async () => {
    own!.lb.startWorker();
    const first = await run(evacuate);
    await run({ kind: 'restore', region: 'us-east-1' });
    const state = await own!.fleet.state();
    expect(state.groups['us-west-2/api-us-west-2']).toEqual([2, 22, 30]);
    const second = await run(evacuate);

    expect(survivors(second, 'api')).toEqual(survivors(first, 'api'));
    expect(survivors(second, 'web')).toEqual(survivors(first, 'web'));
    expect(survivors(first, 'api')).toEqual({ 'us-west-2': 22, 'eu-west-1': 22 });
    // search, sized from counts: 4 + 12 × 1/6 × 1.1 = 6.2 → 7; then 7 + 21 × 1/6 × 1.1 = 10.85 → 11.
    expect(survivors(first, 'search')).toEqual({ 'us-west-2': 7, 'eu-west-1': 7 });
    expect(survivors(second, 'search')).toEqual({ 'us-west-2': 11, 'eu-west-1': 11 });
  }, 120_000);
});
