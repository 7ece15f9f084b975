import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DryRunCloud } from '../../src/cloud/dry-run/dry-run-cloud';
import type { TrafficChange, WeightUpdate } from '../../src/cloud/ports';
import type { OperationEvent } from '../../src/operations/ports/operation-events';
import type { DemoFleetSpec } from '../../src/sandbox/fleet/seed-fleet';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import { apiInThreeRegions, fleetReading } from '../support/fleet-fixture';
import type { TestLifeboat } from '../support/harness';
import { TEST_TOKENS, testLifeboat } from '../support/harness';
import type { MotoFleet } from '../support/moto-fleet';
import { startMotoFleet } from '../support/moto-fleet';
import { familiesOf, parseMetrics, sampleValue } from '../support/prometheus-text';
import { eventually } from '../support/eventually';

const services = apiInThreeRegions;

/** The dry-run cloud, with a gate in front of weight changes: the operation waits there while the test looks. */
class GatedCloud extends DryRunCloud {
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  close(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  override async setWeights(updates: readonly WeightUpdate[]): Promise<TrafficChange[]> {
    await this.gate;
    return super.setWeights(updates);
  }
}

const viewer = { authorization: `Bearer ${TEST_TOKENS.viewer}` };

let lb: TestLifeboat | undefined;
let api: TestApi | undefined;
afterEach(async () => {
  await api?.close();
  await lb?.close();
  api = undefined;
  lb = undefined;
});

function nextEvent(target: TestLifeboat, matches: (e: OperationEvent) => boolean): Promise<OperationEvent> {
  return new Promise((resolve) => {
    const listener = (e: OperationEvent) => {
      if (!matches(e)) return;
      target.deps.events.local.off('event', listener);
      resolve(e);
    };
    target.deps.events.local.on('event', listener);
  });
}

async function scrape(client: TestApi) {
  const res = await client.call('GET', '/metrics', { headers: viewer });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return { text: res.text, samples: parseMetrics(res.text), families: familiesOf(res.text) };
}

describe('GET /metrics during an evacuation on the dry-run cloud', () => {
  it('shows operations, steps, queues, capacity, readiness and process metrics', async () => {
    const cloud = new GatedCloud(fleetReading(services()));
    lb = testLifeboat(cloud);
    api = await startApi(lb);

    expect((await api.call('GET', '/metrics', { headers: { authorization: '' } })).status).toBe(401);

    // Readiness first, from the fleet as seeded: survivors need 16 of their 20 (MaxSize).
    expect((await api.call('GET', '/v1/readiness?refresh=true', { headers: viewer })).status).toBe(200);
    let m = await scrape(api);
    expect(sampleValue(m.samples, 'lifeboat_readiness_headroom_instances', { region: 'us-east-1', service: 'api' })).toBe(4);
    expect(sampleValue(m.samples, 'lifeboat_readiness_ready', { region: 'us-east-1' })).toBe(1);
    expect(sampleValue(m.samples, 'lifeboat_readiness_computed_timestamp_seconds')).toBeGreaterThan(1.7e9);

    // Queued with no worker yet: it waits, and ages.
    const submitted = await api.call('POST', '/v1/operations', { body: { kind: 'evacuate', region: 'us-east-1', pace: 'stages' } });
    expect(submitted.status).toBe(202);
    const id = submitted.body.operation.id as string;
    // It ages: wait until the scrape says it has waited at least 0.1 s.
    m = await eventually('the queued operation aged 0.1 s', async () => {
      const scraped = await scrape(api!);
      return (sampleValue(scraped.samples, 'lifeboat_queue_oldest_waiting_seconds', { queue: 'operations' }) ?? 0) >= 0.1 && scraped;
    });
    expect(sampleValue(m.samples, 'lifeboat_queue_jobs', { queue: 'operations', state: 'waiting' })).toBe(1);
    expect(sampleValue(m.samples, 'lifeboat_queue_jobs', { queue: 'runbooks', state: 'waiting' })).toBe(0);
    expect(sampleValue(m.samples, 'lifeboat_queue_jobs', { queue: 'maintenance', state: 'failed' })).toBe(0);
    expect(sampleValue(m.samples, 'lifeboat_queue_oldest_waiting_seconds', { queue: 'operations' })).toBeGreaterThanOrEqual(0.1);
    expect(sampleValue(m.samples, 'lifeboat_metrics_source_up', { source: 'queues' })).toBe(1);

    // A worker takes it; it stops at the first weight change, with the capacity in service.
    cloud.close();
    const atWeights = nextEvent(lb, (e) => e.operationId === id && e.type === 'step.started' && e.data.kind === 'apply-weights');
    lb.startWorker();
    await atWeights;
    m = await scrape(api);
    expect(sampleValue(m.samples, 'lifeboat_queue_jobs', { queue: 'operations', state: 'active' })).toBe(1);
    expect(sampleValue(m.samples, 'lifeboat_queue_jobs', { queue: 'operations', state: 'waiting' })).toBe(0);
    expect(sampleValue(m.samples, 'lifeboat_queue_oldest_waiting_seconds', { queue: 'operations' })).toBe(0);
    expect(sampleValue(m.samples, 'lifeboat_operations_in_progress', { kind: 'evacuate' })).toBe(1);
    for (const region of ['us-west-2', 'eu-west-1']) {
      expect(sampleValue(m.samples, 'lifeboat_capacity_in_service_instances', { region, service: 'api' })).toBe(16);
      expect(sampleValue(m.samples, 'lifeboat_capacity_target_instances', { region, service: 'api' })).toBe(16);
    }
    for (const step of ['guard', 'prescale', 'await-capacity']) {
      expect(sampleValue(m.samples, 'lifeboat_step_duration_seconds_count', { kind: 'evacuate', step, outcome: 'succeeded' })).toBe(1);
    }

    cloud.release();
    expect((await lb.waitFor(id)).state).toBe('succeeded');
    m = await scrape(api);
    expect(sampleValue(m.samples, 'lifeboat_operations_total', { kind: 'evacuate', outcome: 'succeeded' })).toBe(1);
    expect(sampleValue(m.samples, 'lifeboat_operations_in_progress', { kind: 'evacuate' })).toBe(0);
    // Capacity gauges are for operations under way: gone once it finished.
    expect(m.samples.filter((s) => s.name.startsWith('lifeboat_capacity_'))).toEqual([]);
    expect(sampleValue(m.samples, 'lifeboat_step_duration_seconds_count', { kind: 'evacuate', step: 'apply-weights', outcome: 'succeeded' })).toBe(2);
    expect(sampleValue(m.samples, 'lifeboat_step_duration_seconds_count', { kind: 'evacuate', step: 'verify', outcome: 'succeeded' })).toBe(2);
    expect(sampleValue(m.samples, 'lifeboat_step_duration_seconds_bucket', { kind: 'evacuate', step: 'guard', outcome: 'succeeded', le: '+Inf' })).toBe(1);
    expect(sampleValue(m.samples, 'lifeboat_queue_jobs', { queue: 'operations', state: 'active' })).toBe(0);
    // The evacuation's relief figures, as its result reports them.
    const relief = (await lb.waitFor(id)).result!.relief!;
    const paced = { pace: 'stages', outcome: 'succeeded' };
    expect(sampleValue(m.samples, 'lifeboat_evacuation_first_relief_seconds_sum', paced)).toBeCloseTo(relief.firstReliefSeconds!, 6);
    expect(sampleValue(m.samples, 'lifeboat_evacuation_mitigate_seconds_sum', paced)).toBeCloseTo(relief.mitigateSeconds!, 6);
    expect(sampleValue(m.samples, 'lifeboat_evacuation_impact_share_seconds_sum', paced)).toBeCloseTo(relief.impactShareSeconds, 6);

    // Every family, with its type; Node's process metrics too.
    const expected: Record<string, string> = {
      lifeboat_operations_total: 'counter',
      lifeboat_operations_in_progress: 'gauge',
      lifeboat_step_duration_seconds: 'histogram',
      lifeboat_evacuation_first_relief_seconds: 'histogram',
      lifeboat_evacuation_mitigate_seconds: 'histogram',
      lifeboat_evacuation_impact_share_seconds: 'histogram',
      lifeboat_capacity_in_service_instances: 'gauge',
      lifeboat_capacity_target_instances: 'gauge',
      lifeboat_aws_calls_total: 'counter',
      lifeboat_aws_attempts_total: 'counter',
      lifeboat_aws_retries_total: 'counter',
      lifeboat_aws_throttles_total: 'counter',
      lifeboat_queue_jobs: 'gauge',
      lifeboat_queue_oldest_waiting_seconds: 'gauge',
      lifeboat_readiness_headroom_instances: 'gauge',
      lifeboat_readiness_ready: 'gauge',
      lifeboat_readiness_computed_timestamp_seconds: 'gauge',
      lifeboat_metrics_source_up: 'gauge',
      process_cpu_user_seconds_total: 'counter',
      process_resident_memory_bytes: 'gauge',
      nodejs_heap_size_used_bytes: 'gauge',
      nodejs_eventloop_lag_seconds: 'gauge',
    };
    for (const [family, type] of Object.entries(expected)) expect(m.families.get(family), family).toBe(type);
    expect(sampleValue(m.samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });
});

describe('GET /metrics with the AWS adapter against moto', () => {
  const spec: DemoFleetSpec = {
    regions: ['us-east-1', 'us-west-2'],
    services: [
      {
        name: 'api',
        dns: 'api.example.com',
        regions: { 'us-east-1': { desired: 2, min: 1, max: 4, weight: 100 }, 'us-west-2': { desired: 2, min: 1, max: 4, weight: 100 } },
      },
    ],
  };
  let fleet: MotoFleet | undefined;
  afterAll(async () => {
    await fleet?.stop();
  });

  it('counts AWS calls by service, region, action and outcome', async () => {
    fleet = await startMotoFleet(spec);
    lb = testLifeboat(fleet.cloud(), { LIFEBOAT_REGIONS: spec.regions.join(',') });
    api = await startApi(lb);
    expect((await api.call('GET', '/v1/fleet', { headers: viewer })).status).toBe(200);
    const { samples } = await scrape(api);
    for (const region of spec.regions) {
      const ok = sampleValue(samples, 'lifeboat_aws_calls_total', { service: 'autoscaling', region, action: 'DescribeAutoScalingGroups', outcome: 'ok' });
      expect(ok).toBeGreaterThanOrEqual(1);
      expect(sampleValue(samples, 'lifeboat_aws_attempts_total', { service: 'autoscaling', region, action: 'DescribeAutoScalingGroups' })).toBeGreaterThanOrEqual(ok!);
    }
    expect(sampleValue(samples, 'lifeboat_aws_calls_total', { service: 'route53', region: 'us-east-1', action: 'ListHostedZones', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(samples.filter((s) => s.name === 'lifeboat_aws_calls_total' && s.labels.outcome !== 'ok')).toEqual([]);
  });
});
