import type { GroupLoadReading, LoadMetric, LoadReading, ManagedGroup, MetricPoints, RegionCode, ServiceCapacity, ServiceLoad, SnapshotLoad, SnapshotWarning } from '../fleet';
import { TAG_LOAD_METRIC, TAG_TARGET_UTILIZATION, groupKey } from '../fleet';
import { appendTo } from '../maps';
import { defaultLoadMetric, describeLoadMetric, isPercentMetric, loadMetricKind, loadUnit, parseLoadMetricTag } from './load-metric';

/**
 * A load reading (CloudWatch, per group and period) checked and added up into each
 * service's demand per region and period, in one unit. Nothing goes in silently: a value
 * that is not a usable number, or a spike beyond the sanity bound, is left out with a
 * warning naming the group and the metric; a group with no values at all makes the
 * service's measurement unusable (the planner then falls back to the next model).
 *
 * Worked example: web-us-west-2 runs 4 instances; CloudWatch says its CPUUtilization
 * averaged 30 % and GroupInServiceInstances 4 in the last period → 120 instance-% there.
 */

/** A value more than this many times the group's median is taken for a glitch, not load. */
export const SPIKE_FACTOR = 10;

interface GroupInput {
  group: ManagedGroup;
  reading: GroupLoadReading | undefined;
  metric: LoadMetric;
}

export function assembleLoad(
  reading: LoadReading,
  regions: readonly RegionCode[],
  groups: readonly ManagedGroup[],
  capacity: readonly ServiceCapacity[],
  warnings: SnapshotWarning[],
): SnapshotLoad {
  const unreadable = new Set((reading.unreadable ?? []).map((u) => u.region));
  for (const u of reading.unreadable ?? []) {
    warnings.push({
      code: 'LOAD_REGION_UNREADABLE',
      region: u.region,
      message: `CloudWatch in ${u.region} did not answer (${u.message}); the load of its groups is estimated from the other regions' by traffic share.`,
    });
  }
  const readings = new Map(reading.groups.map((g) => [groupKey(g.region, g.group, g.account), g]));
  const byService = new Map<string, GroupInput[]>();
  const invalidTags = new Map<string, string>();
  for (const g of groups) {
    const metric = metricOf(g, warnings);
    if (!metric) invalidTags.set(g.service, `${g.name} in ${g.region} has an invalid ${TAG_LOAD_METRIC} tag`);
    appendTo(byService, g.service, { group: g, reading: readings.get(groupKey(g.region, g.name, g.account)), metric: metric ?? defaultLoadMetric(g.name) });
  }
  const capacityOf = new Map(capacity.map((c) => [`${c.service}\u0000${c.region}`, c]));
  const services: ServiceLoad[] = [];
  for (const [service, inputs] of [...byService].sort(([a], [b]) => a.localeCompare(b))) {
    const load = serviceLoad(service, inputs, { reading, regions, unreadable, capacityOf, warnings });
    const invalid = invalidTags.get(service);
    services.push(invalid && !load.unusable ? { ...load, unusable: invalid } : load);
  }
  return { endsAt: reading.endsAt, periodSeconds: reading.periodSeconds, periods: reading.periods, services };
}

/** The group's metric: its tag's, or CPUUtilization; undefined (with a warning) for a tag that does not parse. */
function metricOf(g: ManagedGroup, warnings: SnapshotWarning[]): LoadMetric | undefined {
  const tag = g.tags[TAG_LOAD_METRIC];
  if (tag === undefined) return defaultLoadMetric(g.name);
  const parsed = parseLoadMetricTag(tag);
  if ('metric' in parsed) return parsed.metric;
  warnings.push({
    code: 'TAG_INVALID',
    region: g.region,
    group: g.name,
    service: g.service,
    message: `Auto Scaling group ${g.name} in ${g.region}: ${TAG_LOAD_METRIC}="${tag}" ${parsed.problem}; ${g.service} is not sized from measured load.`,
  });
  return undefined;
}

interface LoadContext {
  reading: LoadReading;
  regions: readonly RegionCode[];
  unreadable: ReadonlySet<RegionCode>;
  capacityOf: ReadonlyMap<string, ServiceCapacity>;
  warnings: SnapshotWarning[];
}

/** One service: its groups' demand added up per region, and what one instance should carry there. */
function serviceLoad(service: string, inputs: readonly GroupInput[], lc: LoadContext): ServiceLoad {
  const metric = inputs[0]!.metric;
  const mixed = new Set(inputs.map((i) => loadMetricKind(i.metric))).size > 1;
  const base: ServiceLoad = {
    service,
    metric: describeLoadMetric(metric),
    statistic: metric.statistic,
    unit: loadUnit(metric),
    demand: lc.regions.map(() => null),
    targetUtilization: lc.regions.map(() => null),
    loadCapacity: lc.regions.map(() => null),
    unmeasured: [],
  };
  if (mixed) {
    const names = [...new Set(inputs.map((i) => describeLoadMetric(i.metric)))].join(', ');
    const unusable = `its groups measure load with different metrics (${names}), which do not add up`;
    lc.warnings.push({ code: 'LOAD_METRIC_MIXED', service, message: `${service}: ${unusable}; it is not sized from measured load.` });
    return { ...base, unusable };
  }
  const problems: string[] = [];
  lc.regions.forEach((region, r) => {
    const here = inputs.filter((i) => i.group.region === region);
    if (here.length === 0) return;
    base.targetUtilization[r] = targetUtilizationOf(here.map((i) => i.group), lc.warnings);
    base.loadCapacity[r] = loadCapacityOf(metric, lc.capacityOf.get(`${service}\u0000${region}`));
    if (lc.unreadable.has(region)) {
      base.unmeasured.push(region);
      return;
    }
    const series = here.map((i) => groupDemand(i, lc, problems));
    base.demand[r] = addSeries(series.filter((s): s is Array<number | null> => s !== undefined), lc.reading.periods);
  });
  problems.push(...unknownTargets(service, base, lc));
  return problems.length > 0 ? { ...base, unusable: problems[0] } : base;
}

/** Regions where nothing says what one instance should carry: measured demand cannot become instances there. */
function unknownTargets(service: string, load: ServiceLoad, lc: LoadContext): string[] {
  const regions = lc.regions.filter((_, r) => load.targetUtilization[r] === null && load.loadCapacity[r] === null && (load.demand[r] !== null || load.unmeasured.includes(lc.regions[r]!)));
  if (regions.length === 0) return [];
  const why =
    load.statistic === 'Sum'
      ? `a count (${load.metric}) needs ${TAG_TARGET_UTILIZATION} (${load.unit} one instance should carry) or lifeboat:capacity-per-instance on the groups`
      : `a per-instance metric other than CPUUtilization (${load.metric}) needs ${TAG_TARGET_UTILIZATION} on the groups`;
  const message = `${service} in ${regions.join(', ')}: ${why}`;
  lc.warnings.push({ code: 'LOAD_TARGET_UNKNOWN', service, message: `${message}; it is not sized from measured load.` });
  return [message];
}

/** The regions' groups' lifeboat:target-utilization, averaged over the tagged ones by what they run; null when none is tagged. */
function targetUtilizationOf(groups: readonly ManagedGroup[], warnings: SnapshotWarning[]): number | null {
  let weighted = 0;
  let weight = 0;
  for (const g of groups) {
    const tag = g.tags[TAG_TARGET_UTILIZATION];
    if (tag === undefined) continue;
    const value = Number(tag);
    if (tag.trim() === '' || !Number.isFinite(value) || value <= 0) {
      warnings.push({ code: 'TAG_INVALID', region: g.region, group: g.name, service: g.service, message: `Auto Scaling group ${g.name} in ${g.region}: ${TAG_TARGET_UTILIZATION}="${tag}" is not a positive number; ignored.` });
      continue;
    }
    weighted += value * Math.max(g.desiredCapacity, 1);
    weight += Math.max(g.desiredCapacity, 1);
  }
  return weight > 0 ? weighted / weight : null;
}

/** What one instance carries at full load, in the demand's unit: 100 (%) for CPU, capacity-per-instance for a count. */
function loadCapacityOf(metric: LoadMetric, capacity: ServiceCapacity | undefined): number | null {
  if (isPercentMetric(metric)) return 100;
  if (metric.statistic === 'Sum') return capacity?.capacityPerInstance ?? null;
  return null;
}

/** Per period, the sum over the series; null where any of them has no value. */
function addSeries(series: ReadonlyArray<ReadonlyArray<number | null>>, periods: number): Array<number | null> {
  const total: Array<number | null> = new Array<number | null>(periods).fill(0);
  for (const s of series) {
    for (let k = 0; k < periods; k++) total[k] = total[k] === null || s[k] === null || s[k] === undefined ? null : total[k]! + s[k]!;
  }
  return total;
}

/**
 * One group's demand per period: an Average times the instances in service then (from
 * GroupInServiceInstances, or today's count when CloudWatch has none, said in a warning), a
 * Sum per second. Undefined for a group that runs nothing and has no values; a group that
 * runs instances and has no values at all is a problem.
 */
function groupDemand(input: GroupInput, lc: LoadContext, problems: string[]): Array<number | null> | undefined {
  const { group, metric } = input;
  const name = describeLoadMetric(metric);
  const cleaned = cleanSeries(input.reading?.points ?? [], lc, { group, name, percent: isPercentMetric(metric) });
  if (cleaned.every((v) => v === null)) {
    if (group.inService === 0 && group.desiredCapacity === 0) return undefined;
    const message = `${group.name} in ${group.region} has no ${name} values in the last ${describeSpan(lc.reading)}`;
    lc.warnings.push({ code: 'LOAD_METRIC_MISSING', region: group.region, group: group.name, service: group.service, metric: name, message: `${message}; ${group.service} is not sized from measured load.` });
    problems.push(message);
    return [];
  }
  // A count has no value where nothing was counted (ALB metrics report only nonzero values): that is 0, not unknown.
  if (metric.statistic === 'Sum') {
    const read = periodsRead(input, lc);
    return cleaned.map((v, k) => (v === null ? (read.has(k) ? null : 0) : v / lc.reading.periodSeconds));
  }
  const values = cleaned;
  const instances = cleanSeries(input.reading?.instances ?? [], lc, { group, name: 'AWS/AutoScaling GroupInServiceInstances (Average)', percent: false });
  if (instances.every((n) => n === null)) {
    lc.warnings.push({
      code: 'LOAD_INSTANCES_ASSUMED',
      region: group.region,
      group: group.name,
      service: group.service,
      message: `${group.name} in ${group.region}: CloudWatch has no GroupInServiceInstances for it (group metrics collection off?); its past ${name} is multiplied by the ${group.inService} instances in service now.`,
    });
    return values.map((v) => (v === null ? null : v * group.inService));
  }
  return values.map((v, k) => (v === null || instances[k] === null ? null : v * instances[k]!));
}

function describeSpan(reading: LoadReading): string {
  const hours = (reading.periods * reading.periodSeconds) / 3600;
  return hours >= 48 ? `${Math.round(hours / 24)} days` : `${Math.round(hours)} hours`;
}

/** The periods CloudWatch gave the group's metric a value for, usable or not: a period without one is not one left out. */
function periodsRead(input: GroupInput, lc: LoadContext): Set<number> {
  const start = Date.parse(lc.reading.endsAt) / 1000 - lc.reading.periods * lc.reading.periodSeconds;
  return new Set((input.reading?.points ?? []).map(([t]) => Math.round((t - start) / lc.reading.periodSeconds)));
}

interface SeriesOwner {
  group: ManagedGroup;
  name: string;
  /** A utilization in percent: above 100 is not a reading. */
  percent: boolean;
}

/**
 * A metric's points placed in their periods, with what is not a usable number (not finite,
 * negative, a percentage above 100) and what lies beyond SPIKE_FACTOR × the median left out,
 * each kind said once per group in a warning.
 */
function cleanSeries(points: MetricPoints, lc: LoadContext, owner: SeriesOwner): Array<number | null> {
  const { periods, periodSeconds } = lc.reading;
  const start = Date.parse(lc.reading.endsAt) / 1000 - periods * periodSeconds;
  const series: Array<number | null> = new Array<number | null>(periods).fill(null);
  const invalid: MetricPoints = [];
  for (const [t, v] of points) {
    const k = Math.round((t - start) / periodSeconds);
    if (k < 0 || k >= periods) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (owner.percent && v > 100)) invalid.push([t, v]);
    else series[k] = v;
  }
  if (invalid.length > 0) warnAbout('LOAD_VALUE_INVALID', invalid, owner, lc, 'not a usable number');
  const positive = series.filter((v): v is number => v !== null && v > 0).sort((a, b) => a - b);
  const median = positive.length > 0 ? positive[Math.floor(positive.length / 2)]! : 0;
  const spikes: MetricPoints = [];
  if (median > 0) {
    series.forEach((v, k) => {
      if (v !== null && v > SPIKE_FACTOR * median) {
        spikes.push([start + k * periodSeconds, v]);
        series[k] = null;
      }
    });
  }
  if (spikes.length > 0) warnAbout('LOAD_SPIKE', spikes, owner, lc, `beyond the sanity bound (${SPIKE_FACTOR} × its median ${round(median)})`);
  return series;
}

function warnAbout(code: 'LOAD_VALUE_INVALID' | 'LOAD_SPIKE', points: MetricPoints, owner: SeriesOwner, lc: LoadContext, what: string): void {
  const { group, name } = owner;
  const [t, v] = points[0]!;
  const first = `${String(v)} at ${new Date(t * 1000).toISOString()}`;
  lc.warnings.push({
    code,
    region: group.region,
    group: group.name,
    service: group.service,
    metric: name,
    message: `${group.name} in ${group.region}: ${points.length} value(s) of ${name} ${points.length > 1 ? 'are' : 'is'} ${what} (first: ${first}); left out of its load.`,
  });
}

function round(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4);
}
