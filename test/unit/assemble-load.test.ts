import { describe, expect, it } from 'vitest';
import type { GroupLoadReading, LoadReading, ManagedGroup, MetricPoints, ServiceCapacity, SnapshotWarning } from '../../src/core/fleet';
import { assembleLoad } from '../../src/core/load/assemble-load';

/**
 * assembleLoad on hand-written CloudWatch readings: three hourly periods ending at 12:00 UTC
 * on 1 December, so period k starts at 09:00 + k hours (START + k·3600 in epoch seconds).
 */
const ENDS = '2026-12-01T12:00:00.000Z';
const P = 3600;
const START = Date.parse(ENDS) / 1000 - 3 * P;
const at = (k: number) => START + k * P;
const CPU = 'AWS/EC2 CPUUtilization (Average)';
const ALB_TAG = 'AWS/ApplicationELB:RequestCount:TargetGroup=tg:Sum';
const ALB = 'AWS/ApplicationELB RequestCount (Sum)';

const group = (name: string, region: string, over: Partial<ManagedGroup> = {}): ManagedGroup => ({
  region,
  name,
  service: 'web',
  minSize: 0,
  maxSize: 10,
  desiredCapacity: 4,
  inService: 4,
  pending: 0,
  instances: [],
  tags: {},
  ...over,
});
/** [period, value] pairs as CloudWatch points. */
const points = (...kv: Array<[number, number]>): MetricPoints => kv.map(([k, v]) => [at(k), v]);
const read = (g: ManagedGroup, values: MetricPoints, instances?: MetricPoints): GroupLoadReading => ({
  region: g.region,
  group: g.name,
  ...(g.account !== undefined ? { account: g.account } : {}),
  metric: { namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: [], statistic: 'Average' },
  points: values,
  ...(instances ? { instances } : {}),
});
const reading = (groups: GroupLoadReading[], over: Partial<LoadReading> = {}): LoadReading => ({ endsAt: ENDS, periodSeconds: P, periods: 3, groups, ...over });

function assemble(r: LoadReading, groups: ManagedGroup[], regions = ['a', 'b'], capacity: ServiceCapacity[] = []) {
  const warnings: SnapshotWarning[] = [];
  const load = assembleLoad(r, regions, groups, capacity, warnings);
  return { load, warnings, web: load.services.find((s) => s.service === 'web')! };
}

describe('a service’s demand from its groups’ CPU', () => {
  it('multiplies the average CPU by the instances in service in each period: 30 % on 4 is 120 instance-%', () => {
    const g = group('web-a', 'a');
    const { load, warnings } = assemble(reading([read(g, points([0, 30], [1, 40], [2, 50]), points([0, 4], [1, 4], [2, 2]))]), [g]);
    expect(warnings).toEqual([]);
    expect(load).toEqual({
      endsAt: ENDS,
      periodSeconds: P,
      periods: 3,
      services: [
        {
          service: 'web',
          metric: CPU,
          statistic: 'Average',
          unit: 'instance-%',
          // 30 × 4, 40 × 4, 50 × 2; b runs no group of web.
          demand: [[120, 160, 100], null],
          targetUtilization: [null, null],
          loadCapacity: [100, null],
          unmeasured: [],
        },
      ],
    });
  });

  it('adds up the groups of a region, with no total in a period where one of them has no value', () => {
    const g1 = group('web-a1', 'a');
    const g2 = group('web-a2', 'a');
    const r = reading([read(g1, points([0, 30], [1, 40], [2, 50]), points([0, 2], [1, 2], [2, 2])), read(g2, points([0, 10], [2, 20]), points([0, 3], [1, 3], [2, 3]))]);
    // 60 + 30, 80 + nothing, 100 + 60.
    expect(assemble(r, [g1, g2]).web.demand).toEqual([[90, null, 160], null]);
  });

  it('has no value in a period without an instance count while other periods have one', () => {
    const g = group('web-a', 'a');
    expect(assemble(reading([read(g, points([0, 30], [1, 40], [2, 50]), points([0, 2], [2, 2]))]), [g]).web.demand[0]).toEqual([60, null, 100]);
  });

  it('uses the instances in service now when CloudWatch has no instance counts, and says so', () => {
    const g = group('web-a', 'a', { inService: 3 });
    const { web, warnings } = assemble(reading([read(g, points([0, 10], [1, 20], [2, 30]))]), [g]);
    expect(web.demand[0]).toEqual([30, 60, 90]);
    expect(warnings).toEqual([
      {
        code: 'LOAD_INSTANCES_ASSUMED',
        region: 'a',
        group: 'web-a',
        service: 'web',
        message: `web-a in a: CloudWatch has no GroupInServiceInstances for it (group metrics collection off?); its past ${CPU} is multiplied by the 3 instances in service now.`,
      },
    ]);
  });

  it('places a point in the period nearest its time and leaves out points outside the reading', () => {
    const g = group('web-a', 'a');
    const values: MetricPoints = [
      [at(-1), 40],
      [at(0) + 600, 10],
      [at(1) - 600, 20],
      [at(2), 30],
      [at(3), 40],
    ];
    const counts: MetricPoints = [0, 1, 2].map((k) => [at(k), 1]);
    expect(assemble(reading([read(g, values, counts)]), [g]).web.demand[0]).toEqual([10, 20, 30]);
  });

  it('finds a group’s reading by its account too', () => {
    const g = group('web-a', 'a', { account: '111122223333' });
    const other: GroupLoadReading = { ...read(g, points([0, 90], [1, 90], [2, 90]), points([0, 1], [1, 1], [2, 1])), account: '444455556666' };
    const own = read(g, points([0, 10], [1, 10], [2, 10]), points([0, 1], [1, 1], [2, 1]));
    expect(assemble(reading([other, own]), [g]).web.demand[0]).toEqual([10, 10, 10]);
  });

  it('lists the services by name', () => {
    const w = group('web-a', 'a');
    const api = group('api-a', 'a', { service: 'api' });
    const counts = points([0, 1], [1, 1], [2, 1]);
    const { load } = assemble(reading([read(w, points([0, 1], [1, 1], [2, 1]), counts), read(api, points([0, 2], [1, 2], [2, 2]), counts)]), [w, api]);
    expect(load.services.map((s) => s.service)).toEqual(['api', 'web']);
  });
});

describe('values that are not load', () => {
  it('leaves out values that are not usable numbers, a percentage above 100 included, in one warning', () => {
    const g = group('web-a', 'a', { desiredCapacity: 1, inService: 1 });
    const { web, warnings } = assemble(reading([read(g, points([0, 101], [1, -1], [2, 100]), points([0, 1], [1, 1], [2, 1]))]), [g]);
    expect(web.demand[0]).toEqual([null, null, 100]);
    expect(warnings).toEqual([
      {
        code: 'LOAD_VALUE_INVALID',
        region: 'a',
        group: 'web-a',
        service: 'web',
        metric: CPU,
        message: `web-a in a: 2 value(s) of ${CPU} are not a usable number (first: 101 at 2026-12-01T09:00:00.000Z); left out of its load.`,
      },
    ]);
  });

  it.each([
    ['not a number', Number.NaN],
    ['infinite', Number.POSITIVE_INFINITY],
    ['not a number at all', null as unknown as number],
  ])('leaves out a value that is %s', (_what, bad) => {
    const g = group('web-a', 'a', { desiredCapacity: 1, inService: 1 });
    const { web, warnings } = assemble(reading([read(g, points([0, 10], [1, bad], [2, 10]), points([0, 1], [1, 1], [2, 1]))]), [g]);
    expect(web.demand[0]).toEqual([10, null, 10]);
    expect(warnings.map((w) => w.message)).toEqual([`web-a in a: 1 value(s) of ${CPU} is not a usable number (first: ${String(bad)} at 2026-12-01T10:00:00.000Z); left out of its load.`]);
  });

  it('leaves out a spike beyond ten times the group’s median, and keeps one at exactly ten times', () => {
    // 5, 5, 60: median 5, bound 10 × 5 = 50; 60 goes. 5, 5, 50: 50 stays.
    const g = group('web-a', 'a', { desiredCapacity: 1, inService: 1 });
    const counts = points([0, 1], [1, 1], [2, 1]);
    const spiky = assemble(reading([read(g, points([0, 5], [1, 5], [2, 60]), counts)]), [g]);
    expect(spiky.web.demand[0]).toEqual([5, 5, null]);
    expect(spiky.warnings).toEqual([
      {
        code: 'LOAD_SPIKE',
        region: 'a',
        group: 'web-a',
        service: 'web',
        metric: CPU,
        message: `web-a in a: 1 value(s) of ${CPU} is beyond the sanity bound (10 × its median 5) (first: 60 at 2026-12-01T11:00:00.000Z); left out of its load.`,
      },
    ]);
    expect(assemble(reading([read(g, points([0, 5], [1, 5], [2, 50]), counts)]), [g]).web.demand[0]).toEqual([5, 5, 50]);
  });

  it('takes the median over the periods with load, not the idle ones', () => {
    // Eight periods: 0 × 5, then 2, 2, 30. Median of 2, 2, 30 is 2 → 30 > 20 is a spike.
    // (Counting the zeros the median would be 0 and nothing a spike.)
    const g = group('web-a', 'a', { desiredCapacity: 1, inService: 1 });
    const r: LoadReading = {
      endsAt: ENDS,
      periodSeconds: P,
      periods: 8,
      groups: [
        {
          ...read(g, []),
          points: [0, 0, 0, 0, 0, 2, 2, 30].map((v, k): [number, number] => [Date.parse(ENDS) / 1000 - (8 - k) * P, v]),
          instances: [0, 1, 2, 3, 4, 5, 6, 7].map((k): [number, number] => [Date.parse(ENDS) / 1000 - (8 - k) * P, 1]),
        },
      ],
    };
    expect(assemble(r, [g]).web.demand[0]).toEqual([0, 0, 0, 0, 0, 2, 2, null]);
  });

  it('says a median that is not whole to four figures, and counts several spikes in one warning', () => {
    // Five periods 2, 2.5, 40, 50, 2.5 → sorted 2, 2.5, 2.5, 40, 50, the middle (index 2) 2.5 → bound 25: 40 and 50 go.
    const g = group('web-a', 'a', { desiredCapacity: 1, inService: 1 });
    const values = [2, 2.5, 40, 50, 2.5];
    const r: LoadReading = {
      endsAt: ENDS,
      periodSeconds: P,
      periods: 5,
      groups: [
        {
          ...read(g, []),
          points: values.map((v, k): [number, number] => [Date.parse(ENDS) / 1000 - (5 - k) * P, v]),
          instances: values.map((_, k): [number, number] => [Date.parse(ENDS) / 1000 - (5 - k) * P, 1]),
        },
      ],
    };
    const { web, warnings } = assemble(r, [g]);
    expect(web.demand[0]).toEqual([2, 2.5, null, null, 2.5]);
    // The first spike is period 2 of five, starting 12:00 − 3 h.
    expect(warnings.map((w) => w.message)).toEqual([`web-a in a: 2 value(s) of ${CPU} are beyond the sanity bound (10 × its median 2.500) (first: 40 at 2026-12-01T09:00:00.000Z); left out of its load.`]);
  });
});

describe('a count metric (Sum)', () => {
  const alb = (name: string, region: string, over: Partial<ManagedGroup> = {}) => group(name, region, { tags: { 'lifeboat:load-metric': ALB_TAG }, ...over });
  const readAlb = (g: ManagedGroup, values: MetricPoints): GroupLoadReading => ({
    region: g.region,
    group: g.name,
    metric: { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', dimensions: [{ name: 'TargetGroup', value: 'tg' }], statistic: 'Sum' },
    points: values,
  });
  const capacity: ServiceCapacity[] = [{ service: 'web', region: 'a', groups: ['web-a'], minSize: 0, maxSize: 10, desiredCapacity: 4, inService: 4, pending: 0, capacityPerInstance: 50 }];

  it('reads requests per second, a period without a value as none counted, and carries the capacity per instance', () => {
    const g = alb('web-a', 'a');
    const { web, warnings } = assemble(reading([readAlb(g, points([0, 7200], [2, 1800]))]), [g], ['a', 'b'], capacity);
    expect(warnings).toEqual([]);
    expect(web).toEqual({
      service: 'web',
      metric: ALB,
      statistic: 'Sum',
      unit: 'RequestCount/s',
      // 7200 ÷ 3600, nothing counted, 1800 ÷ 3600.
      demand: [[2, 0, 0.5], null],
      targetUtilization: [null, null],
      loadCapacity: [50, null],
      unmeasured: [],
    });
  });

  it('has no value in a period whose count was read but left out', () => {
    const g = alb('web-a', 'a');
    const { web } = assemble(reading([readAlb(g, points([0, 7200], [1, -3]))]), [g], ['a', 'b'], capacity);
    expect(web.demand[0]).toEqual([2, null, 0]);
  });

  it('without a capacity per instance or target, says it cannot turn requests into instances', () => {
    const g = alb('web-a', 'a');
    const h = alb('web-b', 'b');
    const { web, warnings } = assemble(reading([readAlb(g, points([0, 3600])), readAlb(h, points([0, 3600]))]), [g, h]);
    const message = `web in a, b: a count (${ALB}) needs lifeboat:target-utilization (RequestCount/s one instance should carry) or lifeboat:capacity-per-instance on the groups`;
    expect(web.unusable).toBe(message);
    expect(warnings).toEqual([{ code: 'LOAD_TARGET_UNKNOWN', service: 'web', message: `${message}; it is not sized from measured load.` }]);
  });

  it('is usable with a target utilization alone', () => {
    const g = alb('web-a', 'a', { tags: { 'lifeboat:load-metric': ALB_TAG, 'lifeboat:target-utilization': '40' } });
    const { web } = assemble(reading([readAlb(g, points([0, 3600]))]), [g], ['a']);
    expect(web).toMatchObject({ targetUtilization: [40], loadCapacity: [null] });
    expect(web.unusable).toBeUndefined();
  });
});

describe('what one instance should carry', () => {
  const counts = points([0, 1], [1, 1], [2, 1]);
  const cpu = points([0, 10], [1, 10], [2, 10]);

  it('averages the groups’ lifeboat:target-utilization by what they run, a group running none counting as one', () => {
    const g1 = group('web-a1', 'a', { desiredCapacity: 2, tags: { 'lifeboat:target-utilization': '60' } });
    const g2 = group('web-a2', 'a', { desiredCapacity: 6, tags: { 'lifeboat:target-utilization': '80' } });
    const g3 = group('web-b1', 'b', { desiredCapacity: 0, tags: { 'lifeboat:target-utilization': '60' } });
    const g4 = group('web-b2', 'b', { desiredCapacity: 2, tags: { 'lifeboat:target-utilization': '90' } });
    const all = [g1, g2, g3, g4];
    const { web, warnings } = assemble(
      reading(all.map((g) => read(g, cpu, counts))),
      all,
    );
    expect(warnings).toEqual([]);
    // a: (60 × 2 + 80 × 6) ÷ 8 = 75; b: (60 × 1 + 90 × 2) ÷ 3 = 80.
    expect(web.targetUtilization).toEqual([75, 80]);
  });

  it.each([[''], ['  '], ['fast'], ['0'], ['-5'], ['Infinity']])('ignores a target of "%s", with a warning', (tag) => {
    const g1 = group('web-a1', 'a', { tags: { 'lifeboat:target-utilization': tag } });
    const { web, warnings } = assemble(reading([read(g1, cpu, counts)]), [g1]);
    expect(web.targetUtilization).toEqual([null, null]);
    expect(warnings).toEqual([
      { code: 'TAG_INVALID', region: 'a', group: 'web-a1', service: 'web', message: `Auto Scaling group web-a1 in a: lifeboat:target-utilization="${tag}" is not a positive number; ignored.` },
    ]);
  });

  it('needs a target for a per-instance metric other than CPU', () => {
    const g = group('web-a', 'a', { tags: { 'lifeboat:load-metric': 'Custom/App:Busy::Average' } });
    const { web } = assemble(reading([read(g, cpu, counts)]), [g]);
    expect(web.loadCapacity).toEqual([null, null]);
    expect(web.unusable).toBe('web in a: a per-instance metric other than CPUUtilization (Custom/App Busy (Average)) needs lifeboat:target-utilization on the groups');
  });
});

describe('what the reading cannot say', () => {
  it('estimates a region whose CloudWatch did not answer, and says so', () => {
    const g = group('web-a', 'a');
    const h = group('web-b', 'b', { tags: { 'lifeboat:target-utilization': '50' } });
    const { web, warnings } = assemble(reading([read(g, points([0, 10], [1, 10], [2, 10]), points([0, 1], [1, 1], [2, 1]))], { unreadable: [{ region: 'b', message: 'timed out' }] }), [g, h]);
    expect(web).toMatchObject({ demand: [[10, 10, 10], null], unmeasured: ['b'], targetUtilization: [null, 50], loadCapacity: [100, 100] });
    expect(web.unusable).toBeUndefined();
    expect(warnings).toEqual([
      {
        code: 'LOAD_REGION_UNREADABLE',
        region: 'b',
        message: "CloudWatch in b did not answer (timed out); the load of its groups is estimated from the other regions' by traffic share.",
      },
    ]);
  });

  it('asks for a target in an unreadable region too when its metric has no full load', () => {
    const t = { 'lifeboat:load-metric': 'Custom/App:Busy::Average', 'lifeboat:target-utilization': '50' };
    const g = group('web-a', 'a', { tags: t });
    const h = group('web-b', 'b', { tags: { 'lifeboat:load-metric': 'Custom/App:Busy::Average' } });
    const { web } = assemble(reading([read(g, points([0, 10]), points([0, 1]))], { unreadable: [{ region: 'b', message: 'timed out' }] }), [g, h]);
    expect(web.unusable).toBe('web in b: a per-instance metric other than CPUUtilization (Custom/App Busy (Average)) needs lifeboat:target-utilization on the groups');
  });

  it('makes the service unusable when a group that runs instances has no values, naming it, the metric and the span', () => {
    const g = group('web-a', 'a', { inService: 0, desiredCapacity: 2 });
    const { web, warnings } = assemble(reading([read(g, [], [])]), [g]);
    const message = `web-a in a has no ${CPU} values in the last 3 hours`;
    expect(web.unusable).toBe(message);
    expect(web.demand).toEqual([[null, null, null], null]);
    expect(warnings).toEqual([{ code: 'LOAD_METRIC_MISSING', region: 'a', group: 'web-a', service: 'web', metric: CPU, message: `${message}; web is not sized from measured load.` }]);
  });

  it('counts a group that runs nothing and has no values as no demand', () => {
    const g = group('web-a', 'a', { inService: 0, desiredCapacity: 0 });
    const h = group('web-a2', 'a');
    const { web, warnings } = assemble(reading([read(h, points([0, 10], [1, 10], [2, 10]), points([0, 1], [1, 1], [2, 1]))]), [g, h]);
    expect(web.demand[0]).toEqual([10, 10, 10]);
    expect(warnings).toEqual([]);
    expect(web.unusable).toBeUndefined();
  });

  it('a group serving but scaled to zero with no values is still a problem', () => {
    const g = group('web-a', 'a', { inService: 1, desiredCapacity: 0 });
    expect(assemble(reading([]), [g]).web.unusable).toBe(`web-a in a has no ${CPU} values in the last 3 hours`);
  });

  it.each([
    [47, '47 hours'],
    [48, '2 days'],
    [169, '7 days'],
  ])('names a span of %i hourly periods as %s', (periods, span) => {
    const g = group('web-a', 'a');
    expect(assemble(reading([], { periods }), [g]).web.unusable).toBe(`web-a in a has no ${CPU} values in the last ${span}`);
  });

  it('refuses to add up groups that measure load with different metrics', () => {
    const g = group('web-a', 'a');
    const h = group('web-b', 'b', { tags: { 'lifeboat:load-metric': ALB_TAG } });
    const { web, warnings } = assemble(reading([read(g, points([0, 10]), points([0, 1]))]), [g, h]);
    const unusable = `its groups measure load with different metrics (${CPU}, ${ALB}), which do not add up`;
    expect(web).toEqual({
      service: 'web',
      metric: CPU,
      statistic: 'Average',
      unit: 'instance-%',
      demand: [null, null],
      targetUtilization: [null, null],
      loadCapacity: [null, null],
      unmeasured: [],
      unusable,
    });
    expect(warnings).toEqual([{ code: 'LOAD_METRIC_MIXED', service: 'web', message: `web: ${unusable}; it is not sized from measured load.` }]);
  });

  it('adds up groups whose metrics differ only in their dimensions', () => {
    const g = group('web-a', 'a');
    const h = group('web-b', 'b', { tags: { 'lifeboat:load-metric': 'AWS/EC2:CPUUtilization:AutoScalingGroupName=web-b:Average' } });
    const counts = points([0, 1], [1, 1], [2, 1]);
    const { web } = assemble(reading([read(g, points([0, 10], [1, 10], [2, 10]), counts), read(h, points([0, 20], [1, 20], [2, 20]), counts)]), [g, h]);
    expect(web.unusable).toBeUndefined();
    expect(web.demand).toEqual([
      [10, 10, 10],
      [20, 20, 20],
    ]);
  });

  it('refuses a load-metric tag that does not parse, and the service’s measurement with it', () => {
    const g = group('web-a', 'a', { tags: { 'lifeboat:load-metric': 'CPUUtilization' } });
    const { web, warnings } = assemble(reading([read(g, points([0, 10], [1, 10], [2, 10]), points([0, 1], [1, 1], [2, 1]))]), [g]);
    // Read as the default metric meanwhile.
    expect(web).toMatchObject({ metric: CPU, demand: [[10, 10, 10], null], unusable: 'web-a in a has an invalid lifeboat:load-metric tag' });
    expect(warnings).toEqual([
      {
        code: 'TAG_INVALID',
        region: 'a',
        group: 'web-a',
        service: 'web',
        message:
          'Auto Scaling group web-a in a: lifeboat:load-metric="CPUUtilization" needs four fields, <Namespace>:<MetricName>:<Dimensions>:<Statistic>, got 1; web is not sized from measured load.',
      },
    ]);
  });

  it('keeps the first reason a service is unusable over an invalid tag', () => {
    const g = group('web-a', 'a', { tags: { 'lifeboat:load-metric': 'CPUUtilization' } });
    expect(assemble(reading([]), [g]).web.unusable).toBe(`web-a in a has no ${CPU} values in the last 3 hours`);
  });
});

describe('adding up more than two groups', () => {
  it('keeps a period without a total once one group lacks it, whatever the groups after it have', () => {
    const gs = ['web-a1', 'web-a2', 'web-a3'].map((n) => group(n, 'a', { desiredCapacity: 1, inService: 1 }));
    const counts = points([0, 1], [1, 1], [2, 1]);
    const r = reading([read(gs[0]!, points([0, 10], [1, 10], [2, 10]), counts), read(gs[1]!, points([0, 20], [2, 20]), counts), read(gs[2]!, points([0, 30], [1, 30], [2, 30]), counts)]);
    // 10 + 20 + 30 = 60 where all three have a value; period 1 lacks web-a2’s.
    expect(assemble(r, gs).web.demand[0]).toEqual([60, null, 60]);
  });
});
