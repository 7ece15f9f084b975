import type { AutoScalingGroupReading, FleetReading, GroupLoadReading, MetricPoints } from '../../src/core/fleet';
import { defaultLoadMetric, parseLoadMetricTag } from '../../src/core/load/load-metric';

/** What CloudWatch holds for one group in one period: the metric's value and its instances in service (Average metrics). */
export interface PeriodValue {
  value: number;
  instances?: number;
}

export interface LoadSpec {
  periodSeconds?: number;
  historyDays?: number;
  /** The group's values for the period starting at `t` (epoch seconds); undefined: no value. */
  values: (group: AutoScalingGroupReading, t: number) => PeriodValue | undefined;
  unreadable?: Array<{ region: string; message: string }>;
}

export const HOUR = 3600;
export const DAY = 86400;

/** Hour of the day (UTC, 0..23) of a period start. */
export const hourOf = (t: number) => Math.floor((((t % DAY) + DAY) % DAY) / HOUR);

/** The reading with a load reading as the AWS adapter would add it: one value per period, ending at takenAt. */
export function withLoad(reading: FleetReading, spec: LoadSpec): FleetReading {
  const periodSeconds = spec.periodSeconds ?? HOUR;
  const historyDays = spec.historyDays ?? 7;
  const endsAt = Math.floor(Date.parse(reading.takenAt) / 60_000) * 60;
  const periods = Math.round((historyDays * DAY + HOUR) / periodSeconds);
  const start = endsAt - periods * periodSeconds;
  const unreadable = new Set((spec.unreadable ?? []).map((u) => u.region));
  const groups: GroupLoadReading[] = [];
  for (const g of reading.groups.filter((x) => !unreadable.has(x.region))) {
    const tag = g.tags['lifeboat:load-metric'];
    const parsed = tag === undefined ? { metric: defaultLoadMetric(g.name) } : parseLoadMetricTag(tag);
    if (!('metric' in parsed)) continue;
    const points: MetricPoints = [];
    const instances: MetricPoints = [];
    for (let k = 0; k < periods; k++) {
      const t = start + k * periodSeconds;
      const v = spec.values(g, t);
      if (!v) continue;
      points.push([t, v.value]);
      if (v.instances !== undefined) instances.push([t, v.instances]);
    }
    groups.push({ region: g.region, group: g.name, metric: parsed.metric, points, ...(parsed.metric.statistic === 'Average' ? { instances } : {}) });
  }
  return {
    ...reading,
    load: { endsAt: new Date(endsAt * 1000).toISOString(), periodSeconds, periods, groups, ...(spec.unreadable ? { unreadable: spec.unreadable } : {}) },
  };
}

/**
 * CPU values for a demand curve: each group carries `demand(group, t)` instance-% spread
 * over `instances(group, t)` instances (its desired capacity by default), so CPUUtilization
 * is demand ÷ instances and GroupInServiceInstances is the instance count.
 */
export function cpuFor(demand: (g: AutoScalingGroupReading, t: number) => number, instances: (g: AutoScalingGroupReading, t: number) => number = (g) => g.desiredCapacity) {
  return (g: AutoScalingGroupReading, t: number): PeriodValue => {
    const n = instances(g, t);
    return { value: demand(g, t) / n, instances: n };
  };
}
