import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import type { AutoScalingGroupReading, FleetReading, FleetSnapshot } from '../../src/core/fleet';
import type { Intent } from '../../src/core/intents';
import { parseLoadMetricTag } from '../../src/core/load/load-metric';
import type { MeasuredDemand } from '../../src/core/load/peak-ahead';
import { DEFAULT_PLAN_CONTEXT, plan } from '../../src/core/planner/plan';
import type { Plan } from '../../src/core/planner/plan-types';
import { computeReadiness } from '../../src/core/readiness';
import { assembleSnapshot } from '../../src/core/snapshot';
import { renderPlan } from '../../src/text/plan-text';
import type { ServiceSpec } from '../support/fleet-fixture';
import { fleetReading } from '../support/fleet-fixture';
import type { LoadSpec } from '../support/load-fixture';
import { cpuFor, DAY, hourOf, withLoad } from '../support/load-fixture';

/**
 * The measured model on fleets with a written load history. Every figure below is worked
 * by hand from the curve: api runs in three regions with equal weights; its total demand
 * (instance-%, a third per region) is 900 in the hour before now (11:00–12:00 UTC, the
 * trough), 2400 at 14:00 and 1500 at every other hour, every day. Now is 12:00 UTC.
 * Sized at 60 % per instance with 10 % headroom, a survivor taking half of D needs
 * D/2 ÷ 60 × 1.1 instances.
 */
const ctx = { ...DEFAULT_PLAN_CONTEXT, models: loadModels() };
const NOW = Date.parse('2026-11-24T12:00:00.000Z') / 1000;

const api = (sizes: Record<string, number> = {}, max = 30): ServiceSpec[] => [
  {
    name: 'api',
    dns: 'api.example.com',
    regions: Object.fromEntries(['us-east-1', 'us-west-2', 'eu-west-1'].map((r) => [r, { desired: sizes[r] ?? 10, min: 2, max, weight: 100 }])),
  },
];

/** The daily curve, total over the regions; `today` overrides the hour before now. */
const dailyTotal = (t: number, today?: number) => (t >= NOW - 3600 && today !== undefined ? today : hourOf(t) === 11 ? 900 : hourOf(t) === 14 ? 2400 : 1500);
const curve = (today?: number): LoadSpec['values'] => cpuFor((_g: AutoScalingGroupReading, t: number) => dailyTotal(t, today) / 3);

function snapshotOf(reading: FleetReading): FleetSnapshot {
  return assembleSnapshot(reading);
}
const measuredFleet = (services: ServiceSpec[] = api(), spec: Partial<LoadSpec> = {}) => snapshotOf(withLoad(fleetReading(services), { values: curve(), ...spec }));
const evacuate = (region: string, extra: Partial<Intent> = {}): Intent => ({ kind: 'evacuate', region, ...extra }) as Intent;
const target = (p: Plan, region: string, service = 'api') => p.services.find((s) => s.service === service)!.regions.find((r) => r.region === region)!;
const demandOf = (p: Plan, service = 'api') => p.services.find((s) => s.service === service)!.demand as MeasuredDemand;

describe('sizing for the peak ahead (measured, the default model)', () => {
  const p = plan(measuredFleet(), evacuate('us-east-1'), ctx);

  it('at the trough, sizes the survivors for the peak expected in the next four hours', () => {
    expect(p.blockers).toEqual([]);
    expect(p.services[0]).toMatchObject({ service: 'api', model: 'measured' });
    // 2400 / 2 = 1200 instance-% per survivor ÷ 60 × 1.1 = 22.
    expect(target(p, 'us-west-2')).toMatchObject({ current: 10, required: 22, target: 22 });
    expect(target(p, 'eu-west-1')).toMatchObject({ required: 22, target: 22 });
  });

  it('says the demand now, the demand sized for and where it comes from', () => {
    const d = demandOf(p);
    expect(d).toMatchObject({ how: 'measured', metric: 'AWS/EC2 CPUUtilization (Average)', unit: 'instance-%', horizonHours: 4, historyDays: 7, daysUsed: 7 });
    expect(d.now).toBeCloseTo(900, 9);
    expect(d.sizedFor).toBeCloseTo(2400, 9);
    expect(d.source).toMatchObject({ daysAgo: 1, observedAt: '2026-11-23T14:00:00.000Z', expectedAt: '2026-11-24T14:00:00.000Z', ratio: 1 });
  });

  it('with horizon 0, sizes for now: the survivors already run enough for the trough', () => {
    const now = plan(measuredFleet(), evacuate('us-east-1', { parameters: { horizon: 0 } }), ctx);
    // 900 / 2 = 450 ÷ 60 × 1.1 = 8.25 → 9, below the 10 they run.
    expect(target(now, 'us-west-2')).toMatchObject({ required: 9, target: 10 });
    expect(demandOf(now)).toMatchObject({ source: 'now', sizedFor: 900 });
    // Pinned where they are while traffic arrives (MinSize up to DesiredCapacity), not grown.
    expect(now.groupChanges.map((c) => c.to.desiredCapacity)).toEqual([10, 10]);
  });

  it('scales the past peak by today’s level: a day 20 % busier than the others expects a peak 20 % higher', () => {
    const busy = plan(snapshotOf(withLoad(fleetReading(api()), { values: curve(1080) })), evacuate('us-east-1'), ctx);
    // 1080 / 900 = 1.2 → 2400 × 1.2 = 2880; 1440 ÷ 60 × 1.1 = 26.4 → 27.
    expect(demandOf(busy).sizedFor).toBeCloseTo(2880, 9);
    expect((demandOf(busy).source as { ratio: number }).ratio).toBeCloseTo(1.2, 12);
    expect(target(busy, 'us-west-2')).toMatchObject({ required: 27, target: 27 });
  });

  it('shows the demand figures in the plan as the operator reads it', () => {
    const text = renderPlan(p);
    expect(text).toContain('Demand (what each service is sized for):');
    expect(text).toMatch(/api\s+measured\s+900 instance-%\s+2,400 instance-%\s+peak 1 day ago at 2026-11-23 14:00 UTC \(2,400\) × 1\.00 today's level, expected 2026-11-24 14:00 UTC/);
  });
});

describe('no capacity ratchet: extra instances are capacity, not load', () => {
  it('evacuating again after a restore that kept the survivors’ instances plans the same survivor targets', () => {
    const first = plan(measuredFleet(), evacuate('us-east-1'), ctx);
    // Restored without scaling the survivors down: they still run 22, each at a lower CPU; the demand is the same.
    const restored = api({ 'us-east-1': 10, 'us-west-2': 22, 'eu-west-1': 22 });
    const second = plan(measuredFleet(restored), evacuate('us-east-1'), ctx);
    for (const region of ['us-west-2', 'eu-west-1']) {
      expect(target(second, region).required).toBe(target(first, region).required);
      expect(target(second, region).target).toBe(target(first, region).target);
    }
    expect(second.blockers).toEqual([]);
    // The instance counts alone (proportional) read the extra instances as load: 22 + 66 × 1/6 × 1.1 = 34.1 → 35 > 30.
    const counted = plan(measuredFleet(restored), evacuate('us-east-1', { model: 'proportional' }), ctx);
    expect(counted.blockers.map((b) => b.code)).toEqual(['LB_ERR_SHORTFALL']);
  });

  it('gives a survivor running three times what it needs the same requirement as a right-sized one, and does not grow it', () => {
    const right = plan(measuredFleet(), evacuate('us-east-1'), ctx);
    const over = plan(measuredFleet(api({ 'us-west-2': 30 })), evacuate('us-east-1'), ctx);
    expect(target(over, 'us-west-2')).toMatchObject({ current: 30, required: target(right, 'us-west-2').required, target: 30 });
    expect(target(over, 'eu-west-1')).toEqual(target(right, 'eu-west-1'));
    expect(over.groupChanges.map((c) => [c.region, c.from.desiredCapacity, c.to.desiredCapacity])).toEqual([
      ['us-west-2', 30, 30],
      ['eu-west-1', 10, 22],
    ]);
  });
});

describe('honest failure: what the measurements cannot say is said, not guessed', () => {
  it('falls back to proportional for a service whose group has no metric, naming the group and the metric', () => {
    const snapshot = measuredFleet(api(), { values: (g, t) => (g.region === 'eu-west-1' ? undefined : curve()(g, t)) });
    expect(snapshot.warnings).toContainEqual(expect.objectContaining({ code: 'LOAD_METRIC_MISSING', group: 'api-eu-west-1', metric: 'AWS/EC2 CPUUtilization (Average)' }));
    const p = plan(snapshot, evacuate('us-east-1'), ctx);
    expect(p.services[0]).toMatchObject({ model: 'proportional', demand: { how: 'counts' }, fellBack: { from: 'measured' } });
    // proportional: 10 + 30 × 1/6 × 1.1 = 15.5 → 16.
    expect(target(p, 'us-west-2').target).toBe(16);
    const fallback = p.warnings.find((w) => w.code === 'MODEL_FALLBACK')!;
    expect(fallback.message).toMatch(/api: sized by proportional \(demand estimated from instance counts\), not measured: api-eu-west-1 in eu-west-1 has no AWS\/EC2 CPUUtilization \(Average\) values/);
  });

  it('leaves out values that are not usable numbers, with a warning naming the group and the metric, and sizes from the rest', () => {
    const glitches = (g: AutoScalingGroupReading, t: number) => {
      const v = curve()(g, t);
      if (g.region !== 'us-west-2') return v;
      if (t === NOW - 2 * DAY + 2 * 3600) return { ...v, value: 1e6 };
      if (t === NOW - 3 * DAY + 2 * 3600) return { ...v, value: 250 };
      if (t === NOW - 4 * DAY) return { ...v, value: NaN };
      return v;
    };
    const snapshot = measuredFleet(api(), { values: glitches });
    const warnings = snapshot.warnings.filter((w) => w.group === 'api-us-west-2');
    expect(warnings).toMatchObject([{ code: 'LOAD_VALUE_INVALID', metric: 'AWS/EC2 CPUUtilization (Average)' }]);
    // A CPU above 100 % is not a reading; neither is NaN.
    expect(warnings[0]!.message).toMatch(/api-us-west-2 in us-west-2: 3 value\(s\) of AWS\/EC2 CPUUtilization \(Average\) are not a usable number \(first: NaN at 2026-11-20T12:00:00.000Z\)/);
    // 1e6 sat on day 2's peak hour: left out, us-west-2 is estimated there from the others by share; the figure is the same 2400.
    expect(demandOf(plan(snapshot, evacuate('us-east-1'), ctx)).sizedFor).toBeCloseTo(2400, 9);
  });

  it('estimates a region whose CloudWatch does not answer from the others by traffic share, and says so', () => {
    const snapshot = measuredFleet(api(), { unreadable: [{ region: 'us-east-1', message: 'connect ETIMEDOUT' }] });
    expect(snapshot.warnings).toContainEqual(expect.objectContaining({ code: 'LOAD_REGION_UNREADABLE', region: 'us-east-1' }));
    const p = plan(snapshot, evacuate('us-east-1'), ctx);
    expect(demandOf(p)).toMatchObject({ estimated: ['us-east-1'] });
    expect(demandOf(p).sizedFor).toBeCloseTo(2400, 9);
    expect(target(p, 'us-west-2').target).toBe(22);
  });

  it('falls back when the history is too sparse for the peak ahead, and sizes from two days when asked to read two', () => {
    const recent = (g: AutoScalingGroupReading, t: number) => (t >= NOW - 2 * DAY - 3600 ? curve()(g, t) : undefined);
    const snapshot = measuredFleet(api(), { values: recent });
    const p = plan(snapshot, evacuate('us-east-1'), ctx);
    expect(p.services[0]!.model).toBe('proportional');
    expect(p.warnings.find((w) => w.code === 'MODEL_FALLBACK')!.message).toMatch(/AWS\/EC2 CPUUtilization \(Average\) has too few values in the same hours of the last 7 days \(2 usable\)/);
    const twoDays = plan(snapshot, evacuate('us-east-1', { parameters: { historyDays: 2 } }), ctx);
    expect(twoDays.services[0]).toMatchObject({ model: 'measured', demand: { daysUsed: 2 } });
    expect(target(twoDays, 'us-west-2').target).toBe(22);
  });

  it('refuses a load-metric tag that does not parse, and falls back', () => {
    const reading = fleetReading(api());
    reading.groups[1]!.tags['lifeboat:load-metric'] = 'AWS/ApplicationELB:RequestCount:Sum';
    const snapshot = snapshotOf(withLoad(reading, { values: curve() }));
    expect(snapshot.warnings).toContainEqual(expect.objectContaining({ code: 'TAG_INVALID', group: 'api-us-west-2' }));
    expect(plan(snapshot, evacuate('us-east-1'), ctx).services[0]!.model).toBe('proportional');
  });

  it('names the causes it sees in the shortfall hint: counts read the extra instances as load, and measured avoids it', () => {
    const restored = api({ 'us-east-1': 10, 'us-west-2': 22, 'eu-west-1': 22 });
    const counted = plan(measuredFleet(restored), evacuate('us-east-1', { model: 'proportional' }), ctx);
    expect(counted.blockers[0]!.hint).toMatch(/estimated from instance counts \(model proportional\).*model measured sizes from CloudWatch load/);
    const tight = plan(measuredFleet(api({}, 20)), evacuate('us-east-1'), ctx);
    expect(tight.blockers[0]).toMatchObject({ code: 'LB_ERR_SHORTFALL' });
    expect(tight.blockers[0]!.hint).toMatch(/^Their ceilings .* api is sized for the peak expected ahead; parameters \{"horizon": 0\} size for the demand now\./);
  });
});

describe('a count metric (an ALB target group’s RequestCount, Sum)', () => {
  const web = (tags: Record<string, string>, capacityPerInstance?: number): FleetReading => {
    const reading = fleetReading([{ name: 'web', dns: 'www.example.com', ...(capacityPerInstance ? { capacityPerInstance } : {}), regions: Object.fromEntries(['us-east-1', 'us-west-2', 'eu-west-1'].map((r) => [r, { desired: 4, max: 20, weight: 1 }])) }]);
    for (const g of reading.groups) Object.assign(g.tags, { 'lifeboat:load-metric': `AWS/ApplicationELB:RequestCount:TargetGroup=targetgroup/${g.name}/0123456789abcdef:Sum`, ...tags });
    // 200 requests a second in every region: 720,000 in each hourly period.
    return withLoad(reading, { values: () => ({ value: 200 * 3600 }) });
  };

  it('reads it as requests per second and sizes at the capacity per instance × utilization', () => {
    const p = plan(snapshotOf(web({}, 100)), evacuate('us-east-1'), ctx);
    expect(p.services[0]!.demand).toMatchObject({ how: 'measured', unit: 'RequestCount/s', now: 600, sizedFor: 600 });
    // 300 rps per survivor ÷ (100 × 0.6) × 1.1 = 5.5 → 6.
    expect(target(p, 'us-west-2', 'web').required).toBe(6);
  });

  it('with no requests in the last hour (night), still sizes for the peak ahead: today is taken to be like the other days', () => {
    const reading = fleetReading([{ name: 'web', dns: 'www.example.com', capacityPerInstance: 100, regions: Object.fromEntries(['us-east-1', 'us-west-2', 'eu-west-1'].map((r) => [r, { desired: 4, max: 20, weight: 1 }])) }]);
    for (const g of reading.groups) g.tags['lifeboat:load-metric'] = `AWS/ApplicationELB:RequestCount:TargetGroup=targetgroup/${g.name}/1:Sum`;
    // No requests at 11:00 every day (so no value at all, as ALB reports only nonzero counts), 300 a second per region at 14:00, 100 otherwise.
    const rps = (t: number) => (hourOf(t) === 14 ? 300 : 100);
    const p = plan(snapshotOf(withLoad(reading, { values: (_g, t) => (hourOf(t) === 11 ? undefined : { value: rps(t) * 3600 }) })), evacuate('us-east-1'), ctx);
    expect(p.services[0]!.demand).toMatchObject({ how: 'measured', now: 0, sizedFor: 900, source: { ratio: 1 } });
    // 450 rps per survivor ÷ (100 × 0.6) × 1.1 = 8.25 → 9.
    expect(target(p, 'us-west-2', 'web').required).toBe(9);
  });

  it('takes lifeboat:target-utilization as what one instance should carry', () => {
    const p = plan(snapshotOf(web({ 'lifeboat:target-utilization': '50' })), evacuate('us-east-1'), ctx);
    // 300 ÷ 50 × 1.1 = 6.6 → 7.
    expect(target(p, 'us-west-2', 'web').required).toBe(7);
  });

  it('leaves out a spike beyond the sanity bound (ten times the group’s median), with a warning, rather than size for it', () => {
    const reading = web({}, 100);
    const points = reading.load!.groups[1]!.points;
    points[points.length - 1]![1] = 200 * 3600 * 50;
    const snapshot = snapshotOf(reading);
    expect(snapshot.warnings).toMatchObject([{ code: 'LOAD_SPIKE', group: 'web-us-west-2', metric: 'AWS/ApplicationELB RequestCount (Sum)' }]);
    expect(snapshot.warnings[0]!.message).toMatch(/1 value\(s\) of AWS\/ApplicationELB RequestCount \(Sum\) is beyond the sanity bound \(10 × its median 720000\) \(first: 36000000 at 2026-11-24T11:00:00.000Z\)/);
    // Its last hour has no value left: it is estimated from the other regions by share (200 r/s), not sized for the spike.
    expect(plan(snapshot, evacuate('us-east-1'), ctx).services[0]!.demand).toMatchObject({ how: 'measured', now: 600, estimated: ['us-west-2'] });
  });

  it('without either, says it cannot turn requests into instances and falls back', () => {
    const snapshot = snapshotOf(web({}));
    expect(snapshot.warnings).toContainEqual(expect.objectContaining({ code: 'LOAD_TARGET_UNKNOWN', service: 'web' }));
    expect(plan(snapshot, evacuate('us-east-1'), ctx).services[0]!.model).toBe('proportional');
  });
});

describe('readiness', () => {
  it('reports the model and the demand figure each service was sized with', () => {
    const report = computeReadiness(measuredFleet(), ctx, '2026-11-24T12:00:05.000Z');
    expect(report.model).toBe('measured');
    expect(report.services).toHaveLength(1);
    expect(report.services[0]).toMatchObject({ service: 'api', model: 'measured', demand: { how: 'measured', unit: 'instance-%' } });
    expect((report.services[0]!.demand as MeasuredDemand).sizedFor).toBeCloseTo(2400, 9);
    expect(report.ready).toBe(true);
  });

  it('says so when a service is sized from instance counts for want of measurements', () => {
    const report = computeReadiness(snapshotOf(fleetReading(api())), ctx, '2026-11-24T12:00:05.000Z');
    expect(report.services[0]).toMatchObject({ model: 'proportional', demand: { how: 'counts' }, fellBack: { from: 'measured', reason: 'the fleet reading has no measured load (CloudWatch was not read)' } });
  });
});

describe('the lifeboat:load-metric tag', () => {
  it.each([
    [
      'AWS/ApplicationELB:RequestCount:TargetGroup=targetgroup/web/0123456789abcdef,LoadBalancer=app/web/fedcba9876543210:Sum',
      { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', statistic: 'Sum', dimensions: [{ name: 'TargetGroup', value: 'targetgroup/web/0123456789abcdef' }, { name: 'LoadBalancer', value: 'app/web/fedcba9876543210' }] },
    ],
    ['Custom/App:Busy::Average', { namespace: 'Custom/App', metricName: 'Busy', statistic: 'Average', dimensions: [] }],
    ['Custom/App:Busy:Queue=a=b:Average', { namespace: 'Custom/App', metricName: 'Busy', statistic: 'Average', dimensions: [{ name: 'Queue', value: 'a=b' }] }],
  ])('reads %s', (tag, metric) => {
    expect(parseLoadMetricTag(tag)).toEqual({ metric });
  });

  it.each([
    ['AWS/ApplicationELB:RequestCount:Sum', 'needs four fields, <Namespace>:<MetricName>:<Dimensions>:<Statistic>, got 3'],
    ['AWS/EC2:CPUUtilization:AutoScalingGroupName=x:p99', 'the statistic must be Average or Sum, got "p99"'],
    [':CPUUtilization::Average', 'the namespace is empty'],
    ['AWS/EC2:CPUUtilization:AutoScalingGroupName:Average', 'dimension "AutoScalingGroupName" is not Name=Value'],
    ['AWS/EC2:CPUUtilization:A=1,A=2:Average', 'dimension A is given twice'],
  ])('refuses %s: %s', (tag, problem) => {
    expect(parseLoadMetricTag(tag)).toEqual({ problem });
  });
});

describe('restoring after a measured evacuation', () => {
  it('judges the stages on the demand now, and never asks the restored region for more than it ran for its share', () => {
    const previous = measuredFleet();
    // Evacuated at the trough, for the peak: survivors at 22, weights 0/150/150.
    const evacuated = api({ 'us-west-2': 22, 'eu-west-1': 22 });
    evacuated[0]!.regions['us-east-1']!.weight = 0;
    evacuated[0]!.regions['us-west-2']!.weight = 150;
    evacuated[0]!.regions['eu-west-1']!.weight = 150;
    // Restored at a busier hour than it was evacuated: 2400 instance-% in the last hour. At the model's target, us-east-1's
    // third of it would want 800 ÷ 60 × 1.1 = 14.7 → 15; but it ran 10 for that share before, and gets those 10 back.
    const now = snapshotOf(withLoad(fleetReading(evacuated), { values: curve(2400) }));
    const p = plan(now, { kind: 'restore', region: 'us-east-1', previous }, ctx);
    expect(p.blockers).toEqual([]);
    expect(p.services[0]).toMatchObject({ model: 'measured', demand: { how: 'measured', horizonHours: 0, source: 'now' } });
    for (const stage of p.stages) for (const l of stage.load) expect(l.needed).toBeLessThanOrEqual(l.instances);
    expect(p.stages.at(-1)!.load.find((l) => l.region === 'us-east-1')).toMatchObject({ needed: 10, instances: 10 });
    // The survivors, still at 22 until the end, are judged on the demand now: 2400 × 5/12 ÷ 60 × 1.1 = 18.3 → 19 at stage 1.
    expect(p.stages[0]!.load.find((l) => l.region === 'us-west-2')).toMatchObject({ needed: 19, instances: 22 });
  });
});
