import { describe, expect, it } from 'vitest';
import type { ServiceLoad, SnapshotLoad } from '../../src/core/fleet';
import type { DemandChoice, MeasuredDemand } from '../../src/core/load/peak-ahead';
import { measuredDemand } from '../../src/core/load/peak-ahead';

/**
 * measuredDemand on hand-written series. Now is 12:00 UTC on 1 December; period k of a
 * reading of K periods of P seconds starts at now − (K − k)·P. With hourly periods and
 * K = 49 (two days and an hour), k = 48 is the last hour, k = 24 the same hour yesterday
 * and k = 25.. the hours ahead as they were yesterday; k = 0 and 1.. the same, two days ago.
 */
const ENDS = '2026-12-01T12:00:00.000Z';
const HOURLY = 3600;

const loadOf = (periods: number, periodSeconds = HOURLY): SnapshotLoad => ({ endsAt: ENDS, periodSeconds, periods, services: [] });
const web = (demand: ServiceLoad['demand'], over: Partial<ServiceLoad> = {}): ServiceLoad => ({
  service: 'web',
  metric: 'AWS/EC2 CPUUtilization (Average)',
  statistic: 'Average',
  unit: 'instance-%',
  demand,
  targetUtilization: demand.map(() => null),
  loadCapacity: demand.map(() => 100),
  unmeasured: [],
  ...over,
});
/** `periods` values of `fill`, with the periods in `at` set to their own. */
const seriesOf = (periods: number, fill: number | null, at: Record<number, number | null> = {}): Array<number | null> =>
  Array.from({ length: periods }, (_, k) => (k in at ? at[k]! : fill));
const groupsIn = (region: string) => [`web-${region}`, `web-${region}-b`];

function demandOf(load: SnapshotLoad, service: ServiceLoad, share: number[], regions: string[], choice: DemandChoice): MeasuredDemand {
  const result = measuredDemand(load, service, share, regions, choice, groupsIn);
  if (!('demand' in result)) throw new Error(`unusable: ${result.unusable}`);
  return result.demand;
}
function unusableOf(load: SnapshotLoad, service: ServiceLoad, share: number[], regions: string[], choice: DemandChoice): string {
  const result = measuredDemand(load, service, share, regions, choice, groupsIn);
  if (!('unusable' in result)) throw new Error(`usable: ${JSON.stringify(result.demand)}`);
  return result.unusable;
}

/**
 * Two regions, a and b, of equal share; the totals (a + b, b carrying 50 but for the last hour):
 *   k:      0    1    2    3     4   24   25   26   27    28   48   other
 *   total: 400  600  700  650  3000  200  300  500  400  5000  400   100
 * Demand now (k = 48) is 400: a 300, b 100.
 * Day 1: level 400 ÷ 200 = 2; its next three hours (k = 25..27) peak at 500 (k = 26,
 *   11:00 + 2 h yesterday = 13:00 on 30 November) → 1000 expected at 13:00 today.
 * Day 2: level 400 ÷ 400 = 1; k = 1..3 peak at 700 → 700 expected.
 * k = 4 and k = 28 lie just past the three hours ahead of each day.
 */
const K = 49;
const a = seriesOf(K, 50, { 0: 350, 1: 550, 2: 650, 3: 600, 4: 2950, 24: 150, 25: 250, 26: 450, 27: 350, 28: 4950, 48: 300 });
const b = seriesOf(K, 50, { 48: 100 });

describe('the demand to size for, from the same hours of past days', () => {
  it('sizes for the highest peak expected within the horizon, scaled by today’s level against that day', () => {
    expect(demandOf(loadOf(K), web([a, b]), [0.5, 0.5], ['a', 'b'], { horizonHours: 3, historyDays: 7 })).toEqual({
      how: 'measured',
      metric: 'AWS/EC2 CPUUtilization (Average)',
      unit: 'instance-%',
      now: 400,
      sizedFor: 1000,
      source: { daysAgo: 1, observedAt: '2026-11-30T13:00:00.000Z', expectedAt: '2026-12-01T13:00:00.000Z', observed: 500, ratio: 2 },
      horizonHours: 3,
      // Seven asked, two in the reading.
      historyDays: 2,
      daysUsed: 2,
      // 1000 shared as the last hour's 300 : 100.
      byRegion: [750, 250],
      estimated: [],
    });
  });

  it('reads only as many past days as asked', () => {
    // Day 1 alone: its 1000 is still the highest.
    const d = demandOf(loadOf(K), web([a, b]), [0.5, 0.5], ['a', 'b'], { horizonHours: 3, historyDays: 1 });
    expect(d).toMatchObject({ sizedFor: 1000, historyDays: 1, daysUsed: 1 });
  });

  it('takes the expected peak of the day that expects most, not the highest observed', () => {
    // Day 2 now observed 900 at k = 2 with level 400: 900 expected; day 1 still expects 500 × 2 = 1000.
    const a2 = [...a];
    a2[2] = 850;
    const d = demandOf(loadOf(K), web([a2, b]), [0.5, 0.5], ['a', 'b'], { horizonHours: 3, historyDays: 2 });
    expect(d.sizedFor).toBe(1000);
    expect(d.source).toMatchObject({ daysAgo: 1, observed: 500 });
  });

  it('sizes for now when no past day expects more, and says so', () => {
    // Every hour ahead of each day totals 100 (the fill), the level hours as before.
    const calm = seriesOf(K, 50, { 0: 350, 24: 150, 48: 300 });
    const d = demandOf(loadOf(K), web([calm, b]), [0.5, 0.5], ['a', 'b'], { horizonHours: 3, historyDays: 2 });
    // Day 1: 100 × (400 ÷ 200) = 200; day 2: 100 × (400 ÷ 400) = 100; now 400 is more.
    expect(d).toMatchObject({ now: 400, sizedFor: 400, source: 'now', daysUsed: 2, byRegion: [300, 100] });
  });

  it('counts a part of an hour ahead as a whole period: 2.4 hours read three hourly periods', () => {
    // Day 1’s third hour (k = 27) now peaks at 600 → 1200 expected at 14:00; two periods would stop at 500.
    const a3 = [...a];
    a3[27] = 550;
    const d = demandOf(loadOf(K), web([a3, b]), [0.5, 0.5], ['a', 'b'], { horizonHours: 2.4, historyDays: 1 });
    expect(d.sizedFor).toBe(1200);
    expect(d.source).toMatchObject({ observedAt: '2026-11-30T14:00:00.000Z', expectedAt: '2026-12-01T14:00:00.000Z' });
  });

  it('reads at least one period ahead however short the horizon', () => {
    // 0.1 h of hourly periods: k = 25 only, 300 × 2 = 600 expected.
    const d = demandOf(loadOf(K), web([a, b]), [0.5, 0.5], ['a', 'b'], { horizonHours: 0.1, historyDays: 1 });
    expect(d.sizedFor).toBe(600);
  });

  it('places a tie at the first of the equal periods', () => {
    const tie = [...a];
    tie[27] = 450; // k = 26 and k = 27 both total 500.
    const d = demandOf(loadOf(K), web([tie, b]), [0.5, 0.5], ['a', 'b'], { horizonHours: 3, historyDays: 1 });
    expect(d.source).toMatchObject({ observedAt: '2026-11-30T13:00:00.000Z', observed: 500 });
  });

  it('finds the peak after a period with no value at the start of the hours ahead', () => {
    // k = 25 unknown in both regions; k = 26 (500) still the peak of the three.
    const gap = (s: Array<number | null>) => s.map((v, k) => (k === 25 ? null : v));
    const d = demandOf(loadOf(K), web([gap(a), gap(b)]), [0.5, 0.5], ['a', 'b'], { horizonHours: 3, historyDays: 1 });
    expect(d.source).toMatchObject({ observedAt: '2026-11-30T13:00:00.000Z', observed: 500 });
  });

  it('with horizon 0, sizes for the mean of the last hour', () => {
    // Half-hour periods: the last hour is k = 2, 3 → (100 + 300) ÷ 2 = 200.
    const d = demandOf(loadOf(4, 1800), web([[5, 7, 100, 300]]), [1], ['a'], { horizonHours: 0, historyDays: 7 });
    expect(d).toEqual({
      how: 'measured',
      metric: 'AWS/EC2 CPUUtilization (Average)',
      unit: 'instance-%',
      now: 200,
      sizedFor: 200,
      source: 'now',
      horizonHours: 0,
      historyDays: 0,
      daysUsed: 0,
      byRegion: [200],
      estimated: [],
    });
  });

  it('counts the last hour when half of its periods have values', () => {
    // Half-hour periods, k = 3 missing: now is k = 2’s 100 alone.
    expect(demandOf(loadOf(4, 1800), web([[5, 7, 100, null]]), [1], ['a'], { horizonHours: 0, historyDays: 7 }).now).toBe(100);
  });

  it('with no demand now (a count at night), takes today to be like each past day and shares the peak by traffic', () => {
    // Now 0 in both regions → ratio 1; day 1 peaks at 500 (k = 26).
    const night = (s: Array<number | null>) => s.map((v, k) => (k === 48 ? 0 : v));
    const d = demandOf(loadOf(K), web([night(a), night(b)]), [0.25, 0.75], ['a', 'b'], { horizonHours: 3, historyDays: 1 });
    expect(d).toMatchObject({ now: 0, sizedFor: 500, source: { ratio: 1, observed: 500 } });
    // Nothing in the last hour to share it by: 500 × 0.25 and × 0.75.
    expect(d.byRegion).toEqual([125, 375]);
  });

  it('leaves out a day with no demand in the hour compared while today has some', () => {
    // Yesterday’s level hour (k = 24) was 0: it cannot say how today compares; day 2 expects 700.
    const quiet = (s: Array<number | null>) => s.map((v, k) => (k === 24 ? 0 : v));
    const d = demandOf(loadOf(K), web([quiet(a), quiet(b)]), [0.5, 0.5], ['a', 'b'], { horizonHours: 3, historyDays: 2 });
    expect(d).toMatchObject({ sizedFor: 700, daysUsed: 1, source: { daysAgo: 2, ratio: 1 } });
  });
});

describe('when the history cannot say', () => {
  it('passes on why the measurement is unusable', () => {
    expect(measuredDemand(loadOf(K), web([a, b], { unusable: 'its groups measure load with different metrics' }), [0.5, 0.5], ['a', 'b'], { horizonHours: 3, historyDays: 2 }, groupsIn)).toEqual({
      unusable: 'its groups measure load with different metrics',
    });
  });

  it('names the groups whose last hour has too few values, and the regions CloudWatch did not answer in', () => {
    // Half-hour periods: a lacks both of the last hour’s, b has them, c is unreadable (its share estimated).
    const s = web([[1, 1, null, null], [1, 1, 2, 2], null], { unmeasured: ['c'] });
    expect(unusableOf(loadOf(4, 1800), s, [0.2, 0.2, 0.6], ['a', 'b', 'c'], { horizonHours: 0, historyDays: 1 })).toBe(
      'web-a, web-a-b in a: AWS/EC2 CPUUtilization (Average) has too few values in the last hour (CloudWatch in c did not answer)',
    );
  });

  it('names the region without values in the last hour, or the service’s groups when the regions read are not sparse', () => {
    // Hourly: a (share 0.3) has the last hour’s value, b (0.7) not: 0.3 of the traffic is less than
    // half, so the last hour has no total; b is the sparse one.
    const s = web([[4, 4], [4, null]]);
    expect(unusableOf(loadOf(2), s, [0.3, 0.7], ['a', 'b'], { horizonHours: 0, historyDays: 1 })).toBe(
      'web-b, web-b-b in b: AWS/EC2 CPUUtilization (Average) has too few values in the last hour',
    );
    const t = web([[4, 4]], { unmeasured: ['b'] });
    expect(unusableOf(loadOf(2), t, [0.3, 0.7], ['a', 'b'], { horizonHours: 0, historyDays: 1 })).toBe(
      "web's groups: AWS/EC2 CPUUtilization (Average) has too few values in the last hour (CloudWatch in b did not answer)",
    );
  });

  it('wants at least half of the days read: one of three is too few, one of two is enough', () => {
    // Three days (K = 73, now k = 72): only day 3 (k = 0 level, k = 1.. ahead) has values before the last hour.
    const three = seriesOf(73, null, { 0: 100, 1: 200, 72: 100 });
    expect(unusableOf(loadOf(73), web([three]), [1], ['a'], { horizonHours: 1, historyDays: 3 })).toBe(
      'web-a, web-a-b in a: AWS/EC2 CPUUtilization (Average) has too few values in the same hours of the last 3 days (1 usable)',
    );
    // Two days (K = 49): day 2 alone is half of them; it expects 200 × (100 ÷ 100).
    const two = seriesOf(49, null, { 0: 100, 1: 200, 48: 100 });
    expect(demandOf(loadOf(49), web([two]), [1], ['a'], { horizonHours: 1, historyDays: 2 })).toMatchObject({ sizedFor: 200, daysUsed: 1 });
  });

  it('refuses a horizon when the reading holds no whole past day', () => {
    expect(unusableOf(loadOf(24), web([seriesOf(24, 100)]), [1], ['a'], { horizonHours: 1, historyDays: 1 })).toBe(
      "web's groups: AWS/EC2 CPUUtilization (Average) has too few values in the same hours of the last 1 days (0 usable)",
    );
  });

  it('leaves out a past day whose hours ahead have fewer than half their values', () => {
    // Day 1’s three hours ahead have one value (k = 25); day 2’s all three: day 2 alone is used.
    const holes = (s: Array<number | null>) => s.map((v, k) => (k === 26 || k === 27 ? null : v));
    const d = demandOf(loadOf(K), web([holes(a), holes(b)]), [0.5, 0.5], ['a', 'b'], { horizonHours: 3, historyDays: 2 });
    expect(d).toMatchObject({ sizedFor: 700, daysUsed: 1, source: { daysAgo: 2 } });
  });
});

describe('a region whose CloudWatch did not answer', () => {
  it('is estimated from the others by traffic share: a third each, 800 measured in two → 1200', () => {
    const s = web([[400], [400], null], { unmeasured: ['c'] });
    const d = demandOf(loadOf(1), s, [1 / 3, 1 / 3, 1 / 3], ['a', 'b', 'c'], { horizonHours: 0, historyDays: 0 });
    // 800 ÷ (2/3) = 1200; c serves its third of it, as the others do per unit of share.
    expect(d.now).toBeCloseTo(1200, 9);
    expect(d.estimated).toEqual(['c']);
    expect(d.byRegion.map((x) => Math.round(x))).toEqual([400, 400, 400]);
  });

  it('is estimated from regions serving exactly half of the traffic, and not from fewer', () => {
    // a serves 0.5 and reads 300: 300 ÷ 0.5 = 600.
    const half = web([[300], null], { unmeasured: ['b'] });
    expect(demandOf(loadOf(1), half, [0.5, 0.5], ['a', 'b'], { horizonHours: 0, historyDays: 0 }).now).toBe(600);
    expect(unusableOf(loadOf(1), half, [0.4, 0.6], ['a', 'b'], { horizonHours: 0, historyDays: 0 })).toContain('too few values in the last hour');
  });

  it('leaves out a region that runs none of the service from the shares', () => {
    // b runs no group of web (no series, not unreadable): a’s 300 is the whole demand.
    const d = demandOf(loadOf(1), web([[300], null]), [0.5, 0.5], ['a', 'b'], { horizonHours: 0, historyDays: 0 });
    expect(d).toMatchObject({ now: 300, estimated: [], byRegion: [300, 0] });
  });

  it('is unusable when no region is measured, naming the unreadable ones', () => {
    expect(unusableOf(loadOf(1), web([null, null], { unmeasured: ['a', 'b'] }), [0.5, 0.5], ['a', 'b'], { horizonHours: 0, historyDays: 0 })).toBe(
      'no region of web has measured load (a, b unreadable)',
    );
  });

  it('counts a measured region with no value in the last hour as estimated too', () => {
    // Half-hour periods; b read earlier but not in the last hour: the last hour is a’s 300 ÷ its 0.75 = 400,
    // and b is estimated at 300 per 0.75 of share × 0.25 = 100.
    const s = web([[300, 300, 300, 300], [100, 100, null, null]]);
    const d = demandOf(loadOf(4, 1800), s, [0.75, 0.25], ['a', 'b'], { horizonHours: 0, historyDays: 0 });
    expect(d).toMatchObject({ now: 400, estimated: ['b'], byRegion: [300, 100] });
  });

  it('without traffic shares, adds up the regions only in periods where every one has a value', () => {
    // No weights (share 0): k = 0 lacks b, so it has no total; k = 1 is 300 + 100.
    const d = demandOf(loadOf(2), web([[300, 300], [null, 100]]), [0, 0], ['a', 'b'], { horizonHours: 0, historyDays: 0 });
    expect(d).toMatchObject({ now: 400, estimated: [], byRegion: [300, 100] });
    expect(unusableOf(loadOf(1), web([[300], null], { unmeasured: ['b'] }), [0, 0], ['a', 'b'], { horizonHours: 0, historyDays: 0 })).toContain('the last hour');
  });
});

describe('edges of the peak ahead', () => {
  it('sizes for now when a past day expects exactly as much', () => {
    // Day 1: level 200 → ratio 2; its hours ahead peak at 200 (k = 25) → 400, the demand now.
    const even = seriesOf(K, 50, { 0: 350, 24: 150, 25: 150, 48: 300 });
    const d = demandOf(loadOf(K), web([even, b]), [0.5, 0.5], ['a', 'b'], { horizonHours: 3, historyDays: 1 });
    expect(d).toMatchObject({ now: 400, sizedFor: 400, source: 'now', daysUsed: 1 });
  });

  it('with no demand now nor in the hour compared, still reads the day', () => {
    // A count at night, yesterday too: ratio 1, day 1 peaks at 500 (k = 26).
    const quiet = (s: Array<number | null>) => s.map((v, k) => (k === 48 || k === 24 ? 0 : v));
    const d = demandOf(loadOf(K), web([quiet(a), quiet(b)]), [0.5, 0.5], ['a', 'b'], { horizonHours: 3, historyDays: 1 });
    expect(d).toMatchObject({ now: 0, sizedFor: 500, daysUsed: 1, source: { daysAgo: 1, ratio: 1 } });
  });

  it('says when a peak two days ago is expected again: the same time today', () => {
    // Day 1’s level hour read 0 while today reads 400: day 2 alone, its peak at k = 2 (13:00 on 29 November).
    const quiet = (s: Array<number | null>) => s.map((v, k) => (k === 24 ? 0 : v));
    const d = demandOf(loadOf(K), web([quiet(a), quiet(b)]), [0.5, 0.5], ['a', 'b'], { horizonHours: 3, historyDays: 2 });
    expect(d.source).toEqual({ daysAgo: 2, observedAt: '2026-11-29T13:00:00.000Z', expectedAt: '2026-12-01T13:00:00.000Z', observed: 700, ratio: 1 });
  });

  it('reads a horizon beyond a day only up to now, and wants half of those periods', () => {
    // One day, horizon 30 h: the window is k = 25..48 (24 periods, not 30). 13 values (k = 25..36 and 48):
    // 13 of 24 is more than half; 13 of 30 would not be.
    const s = seriesOf(K, null, { 24: 100, 48: 100, ...Object.fromEntries(Array.from({ length: 12 }, (_, i) => [25 + i, 100 + i])) });
    const d = demandOf(loadOf(K), web([s]), [1], ['a'], { horizonHours: 30, historyDays: 1 });
    // The highest of k = 25..36 is 111 (k = 36), ratio 100 ÷ 100.
    expect(d).toMatchObject({ sizedFor: 111, daysUsed: 1 });
  });

  it('takes a period longer than an hour for the last hour', () => {
    // Three-hour periods: the last hour is the last period, 90.
    expect(demandOf(loadOf(3, 3 * HOURLY), web([[30, 60, 90]]), [1], ['a'], { horizonHours: 0, historyDays: 1 }).now).toBe(90);
  });

  it('reads a region without a share as serving none', () => {
    // Shares given for a only: b counts as share 0, a’s share is all, 400 × 1 ÷ 1; b is measured, not estimated.
    const d = demandOf(loadOf(1), web([[300], [100]]), [1], ['a', 'b'], { horizonHours: 0, historyDays: 0 });
    expect(d).toMatchObject({ now: 400, estimated: [], byRegion: [300, 100] });
  });
});

describe('choosing among the past days', () => {
  /**
   * Totals: k = 0: 200, 2: 600, 24: 200, 26: 500, 48: 400 (a 300, b 100), every other period 100.
   * Day 1: ratio 400 ÷ 200 = 2, peak 500 → 1000. Day 2: ratio 400 ÷ 200 = 2, peak 600 → 1200.
   */
  const later = seriesOf(K, 50, { 0: 150, 2: 550, 24: 150, 26: 450, 48: 300 });

  it('takes a day further back when it expects more', () => {
    const d = demandOf(loadOf(K), web([later, b]), [0.5, 0.5], ['a', 'b'], { horizonHours: 3, historyDays: 2 });
    expect(d).toMatchObject({ sizedFor: 1200, source: { daysAgo: 2, observed: 600, ratio: 2 } });
  });

  it('keeps the nearer day when two expect the same', () => {
    // Day 2’s peak 500 × 2 = 1000, as day 1’s.
    const tie = [...later];
    tie[2] = 450;
    const d = demandOf(loadOf(K), web([tie, b]), [0.5, 0.5], ['a', 'b'], { horizonHours: 3, historyDays: 2 });
    expect(d).toMatchObject({ sizedFor: 1000, source: { daysAgo: 1 } });
  });

  it('counts only whole days before the last hour', () => {
    // 48 hourly periods: 47 before the last hour, one whole day (the second would start before the reading).
    const d = demandOf(loadOf(48), web([seriesOf(48, 100)]), [1], ['a'], { horizonHours: 1, historyDays: 7 });
    expect(d).toMatchObject({ historyDays: 1, daysUsed: 1 });
  });

  it('judges a region sparse over the days before the last hour only', () => {
    // Three days (K = 73). a has only the last hour; b has 36 values, k = 2..37: half of the 72 periods
    // before the last hour, so not sparse. Days usable: day 2 alone (level k = 24, ahead k = 25), 1 of 3.
    const a3 = seriesOf(73, null, { 72: 100 });
    const b3 = seriesOf(73, null, Object.fromEntries(Array.from({ length: 36 }, (_, i) => [2 + i, 100])));
    expect(unusableOf(loadOf(73), web([a3, b3]), [0.5, 0.5], ['a', 'b'], { horizonHours: 1, historyDays: 3 })).toBe(
      'web-a, web-a-b in a: AWS/EC2 CPUUtilization (Average) has too few values in the same hours of the last 3 days (1 usable)',
    );
  });
});
