import { EventEmitter } from 'node:events';
import type { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsCallStats } from '../../src/cloud/aws/aws-clients';
import { loadSettings } from '../../src/operations/settings';
import type { OperationEvent } from '../../src/operations/ports/operation-events';
import type { MetricsSources } from '../../src/api/metrics/lifeboat-metrics';
import { LifeboatMetrics } from '../../src/api/metrics/lifeboat-metrics';
import { startMetricsServer } from '../../src/api/metrics/metrics-server';
import { parseMetrics, sampleValue } from '../support/prometheus-text';

const opened: LifeboatMetrics[] = [];
afterEach(() => {
  for (const m of opened.splice(0)) m.close();
});

function metrics(overrides: Partial<MetricsSources> = {}): { metrics: LifeboatMetrics; events: EventEmitter } {
  const events = new EventEmitter();
  const m = new LifeboatMetrics({ events, queues: () => [], readiness: async () => undefined, timeoutMs: 200, ...overrides });
  opened.push(m);
  return { metrics: m, events };
}

const event = (type: OperationEvent['type'], data: Record<string, unknown>, at = '2026-11-24T12:00:00.000Z', kind = 'evacuate'): OperationEvent => ({ type, operationId: 'op_1', kind, at, data });

describe('AWS call metrics from the adapter’s statistics', () => {
  it('counts calls by outcome, attempts, throttles and retries per service, region and action', async () => {
    const stats = new AwsCallStats();
    const { metrics: m } = metrics({ awsStats: stats });
    // Three calls: one answered at once, one after a throttled attempt, one throttled for good (3 attempts).
    for (let i = 0; i < 3; i++) stats.recordCall('autoscaling', 'us-east-1', 'DescribeAutoScalingGroups');
    for (let i = 0; i < 6; i++) stats.recordAttempt('autoscaling', 'us-east-1', 'DescribeAutoScalingGroups');
    for (let i = 0; i < 4; i++) stats.recordThrottle('autoscaling', 'us-east-1', 'DescribeAutoScalingGroups');
    stats.recordFailure('autoscaling', 'us-east-1', 'DescribeAutoScalingGroups');
    stats.recordOutcome('autoscaling', 'us-east-1', 'DescribeAutoScalingGroups', 'ok');
    stats.recordOutcome('autoscaling', 'us-east-1', 'DescribeAutoScalingGroups', 'ok');
    stats.recordOutcome('autoscaling', 'us-east-1', 'DescribeAutoScalingGroups', 'throttled');
    // And one Route 53 change that failed otherwise.
    stats.recordCall('route53', 'us-east-1', 'ChangeResourceRecordSets');
    stats.recordAttempt('route53', 'us-east-1', 'ChangeResourceRecordSets');
    stats.recordFailure('route53', 'us-east-1', 'ChangeResourceRecordSets');
    stats.recordOutcome('route53', 'us-east-1', 'ChangeResourceRecordSets', 'failed');

    let s = parseMetrics((await m.scrape()).body);
    const asg = { service: 'autoscaling', region: 'us-east-1', action: 'DescribeAutoScalingGroups' };
    expect(sampleValue(s, 'lifeboat_aws_calls_total', { ...asg, outcome: 'ok' })).toBe(2);
    expect(sampleValue(s, 'lifeboat_aws_calls_total', { ...asg, outcome: 'throttled' })).toBe(1);
    expect(sampleValue(s, 'lifeboat_aws_calls_total', { ...asg, outcome: 'failed' })).toBeUndefined();
    expect(sampleValue(s, 'lifeboat_aws_attempts_total', asg)).toBe(6);
    expect(sampleValue(s, 'lifeboat_aws_retries_total', asg)).toBe(3);
    expect(sampleValue(s, 'lifeboat_aws_throttles_total', asg)).toBe(4);
    expect(sampleValue(s, 'lifeboat_aws_calls_total', { service: 'route53', region: 'us-east-1', action: 'ChangeResourceRecordSets', outcome: 'failed' })).toBe(1);

    // A new call waiting for its first attempt does not make the retries counter go down.
    stats.recordCall('autoscaling', 'us-east-1', 'DescribeAutoScalingGroups');
    s = parseMetrics((await m.scrape()).body);
    expect(sampleValue(s, 'lifeboat_aws_retries_total', asg)).toBe(3);
  });

  it('has no AWS samples without the AWS adapter (the dry-run cloud)', async () => {
    const s = parseMetrics((await metrics().metrics.scrape()).body);
    expect(s.filter((x) => x.name.startsWith('lifeboat_aws_'))).toEqual([]);
  });
});

describe('operation events into metrics', () => {
  it('times runbook steps from their events when the event carries no duration', async () => {
    const { metrics: m, events } = metrics();
    events.emit('event', event('operation.started', {}, '2026-11-24T12:00:00.000Z', 'runbook'));
    events.emit('event', event('step.started', { step: 'evacuate', kind: 'evacuate' }, '2026-11-24T12:00:01.000Z', 'runbook'));
    events.emit('event', event('step.finished', { step: 'evacuate', kind: 'evacuate', state: 'succeeded' }, '2026-11-24T12:00:04.500Z', 'runbook'));
    events.emit('event', event('operation.finished', { state: 'failed' }, '2026-11-24T12:00:05.000Z', 'runbook'));
    const s = parseMetrics((await m.scrape()).body);
    expect(sampleValue(s, 'lifeboat_step_duration_seconds_sum', { kind: 'runbook', step: 'evacuate', outcome: 'succeeded' })).toBe(3.5);
    expect(sampleValue(s, 'lifeboat_operations_total', { kind: 'runbook', outcome: 'failed' })).toBe(1);
  });

  it('keeps capacity per group while the operation runs and drops it when it ends or is retried', async () => {
    const { metrics: m, events } = metrics();
    const capacity = [
      { region: 'us-west-2', group: 'api-a', service: 'api', inService: 3, target: 8 },
      { region: 'eu-west-1', group: 'api-b', service: 'api', inService: 8, target: 8 },
    ];
    events.emit('event', event('capacity.progress', { step: 'await-capacity', capacity }));
    let s = parseMetrics((await m.scrape()).body);
    expect(sampleValue(s, 'lifeboat_capacity_in_service_instances', { region: 'us-west-2', group: 'api-a', service: 'api' })).toBe(3);
    expect(sampleValue(s, 'lifeboat_capacity_target_instances', { region: 'us-west-2', group: 'api-a', service: 'api' })).toBe(8);
    expect(sampleValue(s, 'lifeboat_capacity_in_service_instances', { region: 'eu-west-1', group: 'api-b', service: 'api' })).toBe(8);
    events.emit('event', event('operation.error', { retrying: true }));
    s = parseMetrics((await m.scrape()).body);
    expect(s.filter((x) => x.name.startsWith('lifeboat_capacity_'))).toEqual([]);
  });

  it('exports each finished evacuation’s time to first relief, time to mitigate and impact as histograms, by pace', async () => {
    const { metrics: m, events } = metrics();
    events.emit('event', event('operation.finished', { state: 'succeeded', relief: { pace: 'capacity', firstReliefSeconds: 1.5, mitigateSeconds: 40, impactShareSeconds: 12.25 } }));
    // Not mitigated: no time to mitigate, the rest still counts.
    events.emit('event', event('operation.finished', { state: 'failed', relief: { pace: 'stages', firstReliefSeconds: 95, impactShareSeconds: 80 } }));
    const s = parseMetrics((await m.scrape()).body);
    const capacity = { pace: 'capacity', outcome: 'succeeded' };
    expect(sampleValue(s, 'lifeboat_evacuation_first_relief_seconds_sum', capacity)).toBe(1.5);
    expect(sampleValue(s, 'lifeboat_evacuation_first_relief_seconds_bucket', { ...capacity, le: '2' })).toBe(1);
    expect(sampleValue(s, 'lifeboat_evacuation_mitigate_seconds_sum', capacity)).toBe(40);
    expect(sampleValue(s, 'lifeboat_evacuation_impact_share_seconds_sum', capacity)).toBe(12.25);
    const stages = { pace: 'stages', outcome: 'failed' };
    expect(sampleValue(s, 'lifeboat_evacuation_first_relief_seconds_count', stages)).toBe(1);
    expect(sampleValue(s, 'lifeboat_evacuation_mitigate_seconds_count', stages)).toBeUndefined();
    expect(sampleValue(s, 'lifeboat_evacuation_impact_share_seconds_sum', stages)).toBe(80);
  });

  it('shrugs off a malformed event', async () => {
    const { metrics: m, events } = metrics();
    events.emit('event', { type: 'capacity.progress', operationId: 'op_x', kind: 'evacuate', at: 'not a time', data: { capacity: [null, 7] } });
    events.emit('event', { type: 'step.finished', operationId: 'op_x', kind: 'evacuate', at: 'nope', data: {} });
    const s = parseMetrics((await m.scrape()).body);
    expect(s.length).toBeGreaterThan(0);
    expect(s.filter((x) => x.name.startsWith('lifeboat_capacity_'))).toEqual([]);
  });

  it('stops listening when closed', () => {
    const { metrics: m, events } = metrics();
    expect(events.listenerCount('event')).toBe(1);
    m.close();
    expect(events.listenerCount('event')).toBe(0);
  });
});

describe('scrapes never hang', () => {
  it('answers without the queues and the readiness report when Redis does not answer in time', async () => {
    const stuck = { name: 'operations', getJobCounts: () => new Promise(() => undefined), getJobs: () => new Promise(() => undefined) } as unknown as Queue;
    const { metrics: m } = metrics({ queues: () => [stuck], readiness: () => new Promise(() => undefined), timeoutMs: 150 });
    // Neither source ever answers: the scrape finishing at all (within the test's timeout) is the point.
    const s = parseMetrics((await m.scrape()).body);
    expect(sampleValue(s, 'lifeboat_metrics_source_up', { source: 'queues' })).toBe(0);
    expect(sampleValue(s, 'lifeboat_metrics_source_up', { source: 'readiness' })).toBe(0);
    expect(s.filter((x) => x.name.startsWith('lifeboat_queue_'))).toEqual([]);
  });

  it('reports a queue that fails as down, not as an error', async () => {
    const broken = { name: 'operations', getJobCounts: () => Promise.reject(new Error('Connection is closed.')), getJobs: () => Promise.resolve([]) } as unknown as Queue;
    const s = parseMetrics((await metrics({ queues: () => [broken] }).metrics.scrape()).body);
    expect(sampleValue(s, 'lifeboat_metrics_source_up', { source: 'queues' })).toBe(0);
    expect(sampleValue(s, 'lifeboat_metrics_source_up', { source: 'readiness' })).toBe(1);
  });
});

describe('the worker’s metrics server', () => {
  it('serves /metrics on loopback and nothing else', async () => {
    const { metrics: m } = metrics();
    const server = await startMetricsServer(m, 0);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const res = await fetch(server.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(await res.text()).toContain('# TYPE lifeboat_operations_total counter');
      expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
      expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });

  it('is configured by LIFEBOAT_WORKER_METRICS_PORT, on loopback by default', () => {
    expect(loadSettings({}).LIFEBOAT_WORKER_METRICS_PORT).toBeUndefined();
    const s = loadSettings({ LIFEBOAT_WORKER_METRICS_PORT: '9464' });
    expect(s.LIFEBOAT_WORKER_METRICS_PORT).toBe(9464);
    expect(s.LIFEBOAT_WORKER_METRICS_HOST).toBe('127.0.0.1');
    expect(() => loadSettings({ LIFEBOAT_WORKER_METRICS_PORT: 'x' })).toThrow(/LIFEBOAT_WORKER_METRICS_PORT/);
  });
});
