import { describe, expect, it } from 'vitest';
import type { LoadMetric } from '../../src/core/fleet';
import { defaultLoadMetric, describeLoadMetric, isPercentMetric, loadMetricKind, loadUnit, parseLoadMetricTag } from '../../src/core/load/load-metric';

const metric = (over: Partial<LoadMetric> = {}): LoadMetric => ({ namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: [], statistic: 'Average', ...over });

describe('a group’s load metric when it names none', () => {
  it('is its average CPUUtilization in AWS/EC2, by its Auto Scaling group name', () => {
    expect(defaultLoadMetric('web-us-east-1')).toEqual({
      namespace: 'AWS/EC2',
      metricName: 'CPUUtilization',
      dimensions: [{ name: 'AutoScalingGroupName', value: 'web-us-east-1' }],
      statistic: 'Average',
    });
  });
});

describe('reading the lifeboat:load-metric tag', () => {
  it('trims the tag and each of its fields, names and values', () => {
    expect(parseLoadMetricTag('  Custom/App : Busy : Queue = jobs , Shard= 2 : Sum  ')).toEqual({
      metric: { namespace: 'Custom/App', metricName: 'Busy', dimensions: [{ name: 'Queue', value: 'jobs' }, { name: 'Shard', value: '2' }], statistic: 'Sum' },
    });
  });

  it('takes a value with "=" and "/" in it whole: only the first "=" separates name and value', () => {
    expect(parseLoadMetricTag('AWS/ApplicationELB:RequestCount:TargetGroup=targetgroup/web/a=b:Sum')).toEqual({
      metric: { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', dimensions: [{ name: 'TargetGroup', value: 'targetgroup/web/a=b' }], statistic: 'Sum' },
    });
  });

  it('accepts a metric without dimensions', () => {
    expect(parseLoadMetricTag('Custom/App:Busy::Average')).toEqual({ metric: { namespace: 'Custom/App', metricName: 'Busy', dimensions: [], statistic: 'Average' } });
  });

  it.each([
    ['five fields', 'A:B:C=1:Sum:extra', 'needs four fields, <Namespace>:<MetricName>:<Dimensions>:<Statistic>, got 5'],
    ['one field', 'CPUUtilization', 'needs four fields, <Namespace>:<MetricName>:<Dimensions>:<Statistic>, got 1'],
    ['a blank namespace', '  :Busy::Sum', 'the namespace is empty'],
    ['a blank metric name', 'Custom/App: ::Sum', 'the metric name is empty'],
    ['a statistic in the wrong case', 'Custom/App:Busy::sum', 'the statistic must be Average or Sum, got "sum"'],
    ['a statistic CloudWatch has but lifeboat cannot add up', 'Custom/App:Busy::Maximum', 'the statistic must be Average or Sum, got "Maximum"'],
    ['a dimension without "="', 'Custom/App:Busy:Queue:Sum', 'dimension "Queue" is not Name=Value'],
    ['a dimension without a name', 'Custom/App:Busy:=jobs:Sum', 'dimension "=jobs" is not Name=Value'],
    ['a dimension whose name is blank', 'Custom/App:Busy:Shard=1, =jobs:Sum', 'dimension " =jobs" is not Name=Value'],
    ['a dimension without a value', 'Custom/App:Busy:Queue=:Sum', 'dimension "Queue=" is not Name=Value'],
    ['a dimension whose value is blank', 'Custom/App:Busy:Queue= ,Shard=1:Sum', 'dimension "Queue= " is not Name=Value'],
    ['an empty dimension between commas', 'Custom/App:Busy:Queue=a,,Shard=b:Sum', 'dimension "" is not Name=Value'],
    ['a dimension given twice', 'Custom/App:Busy:Queue=a,Shard=1,Queue=b:Sum', 'dimension Queue is given twice'],
  ])('refuses %s, saying what is wrong', (_what, tag, problem) => {
    expect(parseLoadMetricTag(tag)).toEqual({ problem });
  });

  it('accepts CloudWatch’s limit of 30 dimensions and refuses 31', () => {
    const dims = (n: number) => Array.from({ length: n }, (_, i) => `D${i}=v${i}`).join(',');
    const thirty = parseLoadMetricTag(`Custom/App:Busy:${dims(30)}:Sum`);
    expect('metric' in thirty && thirty.metric.dimensions).toHaveLength(30);
    expect(parseLoadMetricTag(`Custom/App:Busy:${dims(31)}:Sum`)).toEqual({ problem: 'CloudWatch allows at most 30 dimensions, got 31' });
  });
});

describe('naming and comparing metrics', () => {
  it('names a metric by namespace, name and statistic', () => {
    expect(describeLoadMetric(metric({ dimensions: [{ name: 'AutoScalingGroupName', value: 'web' }] }))).toBe('AWS/EC2 CPUUtilization (Average)');
  });

  it('takes two groups’ metrics for the same kind whatever their dimensions', () => {
    const a = metric({ dimensions: [{ name: 'AutoScalingGroupName', value: 'web-1' }] });
    const b = metric({ dimensions: [{ name: 'AutoScalingGroupName', value: 'web-2' }] });
    expect(loadMetricKind(a)).toBe(loadMetricKind(b));
  });

  it('tells kinds apart by namespace, name or statistic, even where the names run together', () => {
    const kinds = [
      metric(),
      metric({ statistic: 'Sum' }),
      metric({ namespace: 'Custom' }),
      metric({ metricName: 'Busy' }),
      // "AB" + "C" and "A" + "BC" read the same joined without a separator.
      metric({ namespace: 'AB', metricName: 'C' }),
      metric({ namespace: 'A', metricName: 'BC' }),
    ].map(loadMetricKind);
    expect(new Set(kinds).size).toBe(kinds.length);
  });

  it.each([
    ['average CPUUtilization', metric(), true],
    ['summed CPUUtilization', metric({ statistic: 'Sum' }), false],
    ['another average', metric({ metricName: 'Busy' }), false],
  ])('takes %s for a percentage: %s', (_what, m, percent) => {
    expect(isPercentMetric(m)).toBe(percent);
  });

  it.each([
    ['a count per second for a Sum', metric({ namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', statistic: 'Sum' }), 'RequestCount/s'],
    ['instance-% for average CPU', metric(), 'instance-%'],
    ['instances times the level for another average', metric({ metricName: 'Busy' }), 'instance × Busy'],
  ])('reads the demand as %s', (_what, m, unit) => {
    expect(loadUnit(m)).toBe(unit);
  });
});
