import type { RegionCode, ServiceLoad, SnapshotLoad } from '../fleet';

/**
 * The demand a service is sized for: the highest of its demand now and the peak expected
 * within the horizon, read from the same hours of the past days.
 *
 * Definitions (P the period, "now" the end of the load reading, the snapshot's takenAt to
 * the minute; "total" the service's demand summed over regions):
 * - demand now: the mean total over the last hour [now − 1 h, now).
 * - today's level against day d: demand now ÷ the mean total over the same hour d days ago,
 *   [now − 1 h − d·24 h, now − d·24 h); 1 when there is no demand now (a count at night).
 * - the peak expected from day d: the highest total in [now − d·24 h, now − d·24 h + horizon),
 *   the hours ahead as they were d days ago, times today's level against day d.
 * - sized for: max(demand now, the peaks expected from days 1..historyDays). Horizon 0 is now.
 * A window counts when at least half of its periods have values; the figure needs the last
 * hour and, with a horizon, at least half of the days. A region whose CloudWatch did not
 * answer is estimated: the measured regions' demand ÷ the share of traffic they serve.
 *
 * Worked example (hourly periods): demand now 400 instance-%, 400 at the same hour
 * yesterday, and yesterday's next four hours peaked at 1000 at 18:00 → today's level is 1.0,
 * the peak expected is 1000 at 18:00 today, and the service is sized for 1000.
 */

export interface DemandChoice {
  /** Hours ahead to size for (0: now). */
  horizonHours: number;
  /** Past days whose same hours are read. */
  historyDays: number;
}

export interface ExpectedPeak {
  daysAgo: number;
  /** Start of the period the peak was observed in (ISO). */
  observedAt: string;
  /** The same time of day ahead, when it is expected again (ISO). */
  expectedAt: string;
  observed: number;
  /** Today's level against that day's. */
  ratio: number;
}

export interface MeasuredDemand {
  how: 'measured';
  metric: string;
  unit: string;
  now: number;
  sizedFor: number;
  /** Where sizedFor comes from: the demand now, or a peak of a past day scaled to today. */
  source: 'now' | ExpectedPeak;
  horizonHours: number;
  historyDays: number;
  /** Days whose windows had enough values to be used. */
  daysUsed: number;
  /** Per region (snapshot order): the part of sizedFor it serves today, in proportion to its demand now. */
  byRegion: number[];
  /** Regions whose demand is estimated (their CloudWatch did not answer). */
  estimated: RegionCode[];
}

interface Windowed {
  total: Array<number | null>;
  load: SnapshotLoad;
  service: ServiceLoad;
  regions: readonly RegionCode[];
  groupsIn: (region: RegionCode) => string[];
}

const HOUR = 3600;
const DAY = 86400;
/** A window counts when at least this share of its periods have values. */
const MIN_COVERAGE = 0.5;

/** The demand to size for, or why the measurement cannot give one (a sentence naming groups and metric). */
export function measuredDemand(
  load: SnapshotLoad,
  service: ServiceLoad,
  share: readonly number[],
  regions: readonly RegionCode[],
  choice: DemandChoice,
  groupsIn: (region: RegionCode) => string[],
): { demand: MeasuredDemand } | { unusable: string } {
  if (service.unusable) return { unusable: service.unusable };
  const K = load.periods;
  const hour = periodsIn(load, HOUR);
  const totals = totalDemand(service, share, regions, hour);
  if ('unusable' in totals) return totals;
  const w: Windowed = { total: totals.total, load, service, regions, groupsIn };
  const lastHour = valuesIn(w.total, K - hour, K);
  if (coverage(lastHour, hour) < MIN_COVERAGE) return { unusable: sparse(w, K - hour, K, 'the last hour') };
  const now = mean(lastHour);
  const days = Math.min(choice.historyDays, Math.floor((K - hour) / periodsIn(load, DAY)));
  const base = { how: 'measured' as const, metric: service.metric, unit: service.unit, now, horizonHours: choice.horizonHours, historyDays: days, estimated: totals.estimated };
  const split = (sizedFor: number) => splitByRegion(w, sizedFor, share, totals.estimated);
  if (choice.horizonHours <= 0) return { demand: { ...base, sizedFor: now, source: 'now', daysUsed: 0, byRegion: split(now) } };
  const peaks = expectedPeaks(w, now, days, choice.horizonHours);
  if (peaks.length < Math.ceil(days / 2) || days === 0) {
    return { unusable: sparse(w, 0, K - hour, `the same hours of the last ${choice.historyDays} days (${peaks.length} usable)`) };
  }
  const best = peaks.reduce<ExpectedPeak | undefined>((a, p) => (!a || p.observed * p.ratio > a.observed * a.ratio ? p : a), undefined);
  const peak = best ? best.observed * best.ratio : 0;
  const sizedFor = Math.max(now, peak);
  return { demand: { ...base, sizedFor, source: best && peak > now ? best : 'now', daysUsed: peaks.length, byRegion: split(sizedFor) } };
}

/**
 * The service's demand per period over every region. A region without a value in a period
 * (its CloudWatch did not answer, or a value was left out) is estimated from the others: the
 * measured total ÷ the share of traffic the measured regions serve. A period where regions
 * serving less than half of the traffic are measured has no total.
 *
 * Worked example: shares 1/3 each, us-east-1 unreadable, 800 measured in the other two →
 * 800 ÷ (2/3) = 1200.
 */
function totalDemand(service: ServiceLoad, share: readonly number[], regions: readonly RegionCode[], lastHour: number): { total: Array<number | null>; estimated: RegionCode[] } | { unusable: string } {
  const served = regions
    .map((region, r) => ({ region, series: service.demand[r] ?? null, share: share[r] ?? 0 }))
    .filter((x) => x.series !== null || service.unmeasured.includes(x.region));
  const measured = served.filter((x): x is typeof x & { series: Array<number | null> } => x.series !== null);
  if (measured.length === 0) return { unusable: `no region of ${service.service} has measured load (${service.unmeasured.join(', ')} unreadable)` };
  const all = served.reduce((a, x) => a + x.share, 0);
  const periods = measured[0]!.series.length;
  const total: Array<number | null> = [];
  for (let k = 0; k < periods; k++) {
    let sum = 0;
    let covered = 0;
    let missing = served.length - measured.length;
    for (const x of measured) {
      const v = x.series[k];
      if (v === null || v === undefined) missing++;
      else {
        sum += v;
        covered += x.share;
      }
    }
    if (all > 0) total.push(covered * 2 >= all && covered > 0 ? (sum * all) / covered : null);
    else total.push(missing === 0 ? sum : null);
  }
  const silent = (x: (typeof served)[number]) => x.series === null || valuesIn(x.series, periods - lastHour, periods).length === 0;
  return { total, estimated: served.filter((x) => x.share > 0 && silent(x)).map((x) => x.region) };
}

/** The peak each usable past day expects within the horizon, scaled by today's level against that day. */
function expectedPeaks(w: Windowed, now: number, days: number, horizonHours: number): ExpectedPeak[] {
  const K = w.load.periods;
  const hour = periodsIn(w.load, HOUR);
  const day = periodsIn(w.load, DAY);
  const ahead = Math.max(1, Math.ceil((horizonHours * HOUR) / w.load.periodSeconds));
  const peaks: ExpectedPeak[] = [];
  for (let d = 1; d <= days; d++) {
    const levelFrom = K - hour - d * day;
    const level = valuesIn(w.total, levelFrom, levelFrom + hour);
    const from = K - d * day;
    const to = Math.min(from + ahead, K);
    const window = valuesIn(w.total, from, to);
    // A day with no demand in the hour compared while today has some cannot say how today compares.
    if (coverage(level, hour) < MIN_COVERAGE || coverage(window, to - from) < MIN_COVERAGE || (now > 0 && mean(level) <= 0)) continue;
    let at = from;
    for (let k = from; k < to; k++) if (w.total[k] !== null && (w.total[at] === null || w.total[k]! > w.total[at]!)) at = k;
    const observedAt = periodStart(w.load, at);
    // No demand at all in the last hour says nothing about how today compares: take it as alike.
    const ratio = now > 0 ? now / mean(level) : 1;
    peaks.push({ daysAgo: d, observedAt: new Date(observedAt).toISOString(), expectedAt: new Date(observedAt + d * DAY * 1000).toISOString(), observed: w.total[at]!, ratio });
  }
  return peaks;
}

/**
 * The sized-for figure shared out over the regions as their demand in the last hour is; an
 * estimated region gets the measured regions' demand per unit of share times its own share.
 */
function splitByRegion(w: Pick<Windowed, 'load' | 'service' | 'regions'>, sizedFor: number, share: readonly number[], estimated: readonly RegionCode[]): number[] {
  const K = w.load.periods;
  const hour = periodsIn(w.load, HOUR);
  const recent = w.service.demand.map((series) => (series ? mean(valuesIn(series, K - hour, K)) : 0));
  const measured = w.regions.map((_, r) => r).filter((r) => !estimated.includes(w.regions[r]!) && w.service.demand[r] !== null);
  const measuredShare = measured.reduce((a, r) => a + (share[r] ?? 0), 0);
  const perShare = measuredShare > 0 ? measured.reduce((a, r) => a + recent[r]!, 0) / measuredShare : 0;
  const byRegion = w.regions.map((region, r) => (estimated.includes(region) ? perShare * (share[r] ?? 0) : recent[r]!));
  const all = byRegion.reduce((a, b) => a + b, 0);
  return byRegion.map((x, r) => (all > 0 ? (sizedFor * x) / all : sizedFor * (share[r] ?? 0)));
}

/** A sentence naming what is too sparse: the regions (their groups) and the metric. */
function sparse(w: Windowed, from: number, to: number, what: string): string {
  const thin = w.regions
    .map((region, r) => ({ region, series: w.service.demand[r] ?? null }))
    .filter((x): x is { region: RegionCode; series: Array<number | null> } => x.series !== null && coverage(valuesIn(x.series, from, to), to - from) < MIN_COVERAGE);
  const who = thin.length > 0 ? thin.map((x) => `${w.groupsIn(x.region).join(', ')} in ${x.region}`).join('; ') : `${w.service.service}'s groups`;
  const unread = w.service.unmeasured.length > 0 ? ` (CloudWatch in ${w.service.unmeasured.join(', ')} did not answer)` : '';
  return `${who}: ${w.service.metric} has too few values in ${what}${unread}`;
}

function periodsIn(load: SnapshotLoad, seconds: number): number {
  return Math.max(1, Math.round(seconds / load.periodSeconds));
}

function periodStart(load: SnapshotLoad, k: number): number {
  return Date.parse(load.endsAt) - (load.periods - k) * load.periodSeconds * 1000;
}

function valuesIn(series: ReadonlyArray<number | null>, from: number, to: number): number[] {
  const out: number[] = [];
  for (let k = Math.max(0, from); k < Math.min(to, series.length); k++) if (series[k] !== null && series[k] !== undefined) out.push(series[k]!);
  return out;
}

function coverage(values: readonly number[], expected: number): number {
  return expected > 0 ? values.length / expected : 0;
}

function mean(values: readonly number[]): number {
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}
