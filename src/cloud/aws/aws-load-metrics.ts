import type { MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { paginateGetMetricData } from '@aws-sdk/client-cloudwatch';
import type { AutoScalingGroupReading, GroupLoadReading, LoadMetric, LoadReading, MetricPoints, RegionCode } from '../../core/fleet';
import { TAG_LOAD_METRIC, TAG_SERVICE } from '../../core/fleet';
import { defaultLoadMetric, parseLoadMetricTag } from '../../core/load/load-metric';
import type { AwsClients } from './aws-clients';
import { awsPages } from './aws-errors';

/**
 * The fleet's load from CloudWatch: for every managed group, its load metric (CPUUtilization
 * by default, or its lifeboat:load-metric) and, for a per-instance metric, its
 * GroupInServiceInstances, over the last `historyDays` days and an hour, one value per
 * period. GetMetricData takes up to 500 metrics a call; one call per region and 500 metrics,
 * each page followed. A region whose CloudWatch fails or misses the deadline is listed as
 * unreadable, never an error: sizing then estimates it, or falls back (see core/load).
 */

export interface LoadReadOptions {
  /** Seconds per value; divides an hour. Default 3600. */
  periodSeconds?: number;
  /** Days of history read for the peak ahead. Default 7. */
  historyDays?: number;
  /** Per region, how long the whole read may take. Default 5000 ms. */
  timeoutMs?: number;
}

export const DEFAULT_LOAD_READ = { periodSeconds: 3600, historyDays: 7, timeoutMs: 5000 } as const;

/** GetMetricData's most metrics a call. */
export const METRICS_PER_CALL = 500;

interface QueryFor {
  id: string;
  group: string;
  role: 'points' | 'instances';
  metric: LoadMetric;
}

export async function readFleetLoad(clients: AwsClients, groups: readonly AutoScalingGroupReading[], takenAt: string, options: LoadReadOptions = {}): Promise<LoadReading> {
  const periodSeconds = options.periodSeconds ?? DEFAULT_LOAD_READ.periodSeconds;
  const historyDays = options.historyDays ?? DEFAULT_LOAD_READ.historyDays;
  const endsAtMs = Math.floor(Date.parse(takenAt) / 60_000) * 60_000;
  const periods = Math.round((historyDays * 86400 + 3600) / periodSeconds);
  const window = { start: new Date(endsAtMs - periods * periodSeconds * 1000), end: new Date(endsAtMs), periodSeconds };
  const managed = groups.filter((g) => (g.tags[TAG_SERVICE] ?? '').trim() !== '');
  const regions = [...new Set(managed.map((g) => g.region))];
  const results = await Promise.allSettled(
    regions.map((region) => readRegionLoad(clients, region, managed.filter((g) => g.region === region), window, options.timeoutMs ?? DEFAULT_LOAD_READ.timeoutMs)),
  );
  const reading: LoadReading = { endsAt: new Date(endsAtMs).toISOString(), periodSeconds, periods, groups: [] };
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') reading.groups.push(...result.value);
    else (reading.unreadable ??= []).push({ region: regions[i]!, message: messageOf(result.reason) });
  });
  return reading;
}

interface Window {
  start: Date;
  end: Date;
  periodSeconds: number;
}

/** One region's groups: their queries in calls of METRICS_PER_CALL, all under one deadline. */
export async function readRegionLoad(clients: AwsClients, region: RegionCode, groups: readonly AutoScalingGroupReading[], window: Window, timeoutMs: number): Promise<GroupLoadReading[]> {
  const queries = queriesFor(groups);
  const abortSignal = AbortSignal.timeout(timeoutMs);
  const values = new Map<string, MetricPoints>();
  for (let i = 0; i < queries.length; i += METRICS_PER_CALL) {
    const batch = queries.slice(i, i + METRICS_PER_CALL);
    for (const r of await metricData(clients, region, batch, window, abortSignal)) {
      const points = values.get(r.Id!) ?? [];
      (r.Timestamps ?? []).forEach((t, k) => points.push([Math.round(t.getTime() / 1000), r.Values?.[k] ?? NaN]));
      values.set(r.Id!, points);
    }
  }
  const byGroup = new Map<string, GroupLoadReading>();
  for (const q of queries) {
    const entry = byGroup.get(q.group) ?? { region, group: q.group, ...(clients.account !== undefined ? { account: clients.account } : {}), metric: q.metric, points: [] };
    if (q.role === 'points') entry.points = values.get(q.id) ?? [];
    else entry.instances = values.get(q.id) ?? [];
    byGroup.set(q.group, entry);
  }
  return [...byGroup.values()];
}

/** A group's load metric (its tag's, or CPUUtilization) and, for a per-instance one, its instances in service; a tag that does not parse is left to the snapshot to report. */
function queriesFor(groups: readonly AutoScalingGroupReading[]): QueryFor[] {
  const queries: QueryFor[] = [];
  groups.forEach((g, i) => {
    const tag = g.tags[TAG_LOAD_METRIC];
    const parsed = tag === undefined ? { metric: defaultLoadMetric(g.name) } : parseLoadMetricTag(tag);
    if (!('metric' in parsed)) return;
    queries.push({ id: `load${i}`, group: g.name, role: 'points', metric: parsed.metric });
    if (parsed.metric.statistic === 'Average') {
      const instances: LoadMetric = { namespace: 'AWS/AutoScaling', metricName: 'GroupInServiceInstances', dimensions: [{ name: 'AutoScalingGroupName', value: g.name }], statistic: 'Average' };
      queries.push({ id: `instances${i}`, group: g.name, role: 'instances', metric: instances });
    }
  });
  return queries;
}

/** One GetMetricData, every page of it. A metric CloudWatch says it could not read fails the region. */
async function metricData(clients: AwsClients, region: RegionCode, batch: readonly QueryFor[], window: Window, abortSignal: AbortSignal): Promise<MetricDataResult[]> {
  const MetricDataQueries: MetricDataQuery[] = batch.map((q) => ({
    Id: q.id,
    ReturnData: true,
    MetricStat: {
      Metric: { Namespace: q.metric.namespace, MetricName: q.metric.metricName, Dimensions: q.metric.dimensions.map((d) => ({ Name: d.name, Value: d.value })) },
      Period: window.periodSeconds,
      Stat: q.metric.statistic,
    },
  }));
  const results: MetricDataResult[] = [];
  // The abort signal goes to every page's send (the paginator passes its extra arguments on).
  const pages = paginateGetMetricData({ client: clients.loadMetrics(region) }, { MetricDataQueries, StartTime: window.start, EndTime: window.end, ScanBy: 'TimestampAscending' }, { abortSignal });
  for await (const page of awsPages({ service: 'cloudwatch-metrics', region, action: 'GetMetricData' }, pages)) {
    const failed = (page.MetricDataResults ?? []).find((r) => r.StatusCode === 'Forbidden' || r.StatusCode === 'InternalError');
    if (failed) throw new Error(`CloudWatch GetMetricData in ${region} answered ${failed.StatusCode} for ${failed.Label ?? failed.Id}${failed.Messages?.[0]?.Value ? `: ${failed.Messages[0].Value}` : ''}`);
    results.push(...(page.MetricDataResults ?? []));
  }
  return results;
}

function messageOf(reason: unknown): string {
  return reason instanceof Error ? reason.message.split('\n')[0]! : String(reason);
}
