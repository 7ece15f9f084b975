import type { LoadMetric } from '../fleet';

/**
 * Which CloudWatch metric measures a group's load. By default its average CPUUtilization
 * (AWS/EC2, dimension AutoScalingGroupName); a group tagged lifeboat:load-metric names its
 * own, as four fields separated by colons:
 *
 *     <Namespace>:<MetricName>:<Name>=<Value>[,<Name>=<Value>...]:<Statistic>
 *
 * Worked example: an ALB target group's requests,
 *     AWS/ApplicationELB:RequestCount:TargetGroup=targetgroup/web/0123456789abcdef,LoadBalancer=app/web/fedcba9876543210:Sum
 * The statistic says how to read it: `Sum` is the group's whole demand per period (requests),
 * `Average` a per-instance level (a utilization) that lifeboat multiplies by the instances in
 * service. Names and values may not contain ':' or ','; a value may contain '=' and '/'.
 */

export function defaultLoadMetric(group: string): LoadMetric {
  return { namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: [{ name: 'AutoScalingGroupName', value: group }], statistic: 'Average' };
}

const STATISTICS: ReadonlyArray<LoadMetric['statistic']> = ['Average', 'Sum'];
/** CloudWatch allows 30 dimensions on a metric. */
const MAX_DIMENSIONS = 30;

/** The tag's metric, or what is wrong with it (a sentence to put in a warning). */
export function parseLoadMetricTag(value: string): { metric: LoadMetric } | { problem: string } {
  const fields = value.trim().split(':');
  if (fields.length !== 4) return { problem: `needs four fields, <Namespace>:<MetricName>:<Dimensions>:<Statistic>, got ${fields.length}` };
  const [namespace, metricName, dims, statistic] = fields.map((f) => f.trim()) as [string, string, string, string];
  if (!namespace) return { problem: 'the namespace is empty' };
  if (!metricName) return { problem: 'the metric name is empty' };
  if (!(STATISTICS as readonly string[]).includes(statistic)) return { problem: `the statistic must be Average or Sum, got "${statistic}"` };
  const dimensions: LoadMetric['dimensions'] = [];
  for (const pair of dims === '' ? [] : dims.split(',')) {
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const dimValue = pair.slice(eq + 1).trim();
    if (eq <= 0 || !name || !dimValue) return { problem: `dimension "${pair}" is not Name=Value` };
    if (dimensions.some((d) => d.name === name)) return { problem: `dimension ${name} is given twice` };
    dimensions.push({ name, value: dimValue });
  }
  if (dimensions.length > MAX_DIMENSIONS) return { problem: `CloudWatch allows at most ${MAX_DIMENSIONS} dimensions, got ${dimensions.length}` };
  return { metric: { namespace, metricName, dimensions, statistic: statistic as LoadMetric['statistic'] } };
}

/** The metric as people name it: "AWS/EC2 CPUUtilization (Average)". */
export function describeLoadMetric(metric: LoadMetric): string {
  return `${metric.namespace} ${metric.metricName} (${metric.statistic})`;
}

/** The same metric and statistic, whatever the dimensions: what a service's groups must agree on to be added up. */
export function loadMetricKind(metric: LoadMetric): string {
  return `${metric.namespace}\u0000${metric.metricName}\u0000${metric.statistic}`;
}

/** A utilization in percent: an instance at 100 is full. */
export function isPercentMetric(metric: LoadMetric): boolean {
  return metric.statistic === 'Average' && metric.metricName === 'CPUUtilization';
}

/**
 * The demand's unit once read: a per-instance level summed over the instances ("instance-%"
 * for CPUUtilization: 250 is two and a half instances' worth of CPU), or a count per second.
 */
export function loadUnit(metric: LoadMetric): string {
  if (metric.statistic === 'Sum') return `${metric.metricName}/s`;
  return isPercentMetric(metric) ? 'instance-%' : `instance × ${metric.metricName}`;
}
