import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DryRunCloud } from '../../src/cloud/dry-run/dry-run-cloud';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import { fleetReading } from '../support/fleet-fixture';

const reading = () =>
  fleetReading([
    {
      name: 'api',
      dns: 'api.example.com',
      capacityPerInstance: 100,
      regions: {
        'us-east-1': { desired: 10, min: 2, max: 20, weight: 100 },
        'us-west-2': { desired: 10, min: 2, max: 20, weight: 100 },
        'eu-west-1': { desired: 10, min: 2, max: 20, weight: 100 },
      },
    },
  ]);

let lb: TestLifeboat;
let api: TestApi;
beforeAll(async () => {
  lb = testLifeboat(new DryRunCloud(reading()));
  api = await startApi(lb);
});
afterAll(async () => {
  await api.close();
  await lb.close();
});

const evacuate = { kind: 'evacuate', region: 'us-east-1' };

describe('POST /v1/plans', () => {
  it('When asking for an evacuation plan, then it returns the plan and changes nothing', async () => {
    const res = await api.call('POST', '/v1/plans', { body: evacuate });
    expect(res.status).toBe(200);
    expect(res.body.plan.blockers).toEqual([]);
    expect(res.body.plan.groupChanges).toHaveLength(2);
    expect(await lb.deps.queue.list()).toEqual([]);
  });

  it('When the client accepts text, then it returns the plan as a table', async () => {
    const res = await api.call('POST', '/v1/plans', { body: evacuate, headers: { accept: 'text/plain' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(res.text).toContain('Plan: evacuate us-east-1');
  });

  it('When the plan is blocked, then it still returns 200 with the blockers (a plan is only information)', async () => {
    const res = await api.call('POST', '/v1/plans', { body: { kind: 'evacuate', region: 'us-east-1', model: 'throughput' } });
    expect(res.status).toBe(200);
    expect(res.body.plan.blockers[0].code).toBe('LB_ERR_MODEL_PARAMETER');
  });
});

describe('bad input is a clear 4xx, never a 500, never a started operation', () => {
  it.each([
    ['malformed JSON', 400, 'LB_ERR_MALFORMED_JSON', { raw: '{"kind": "evacuate",', headers: { 'content-type': 'application/json' } }],
    ['an unknown field', 400, 'LB_ERR_VALIDATION', { body: { ...evacuate, colour: 'blue' } }],
    ['a wrong type', 400, 'LB_ERR_VALIDATION', { body: { kind: 'evacuate', region: 42 } }],
    ['an unknown kind', 400, 'LB_ERR_VALIDATION', { body: { kind: 'explode', region: 'us-east-1' } }],
    ['a region that is not a region code', 400, 'LB_ERR_VALIDATION', { body: { kind: 'evacuate', region: 'mars-1' } }],
    ['a region lifeboat does not manage', 400, 'LB_ERR_UNKNOWN_REGION', { body: { kind: 'evacuate', region: 'ap-south-1' } }],
    ['a huge body', 413, 'LB_ERR_BODY_TOO_LARGE', { body: { ...evacuate, reason: 'x'.repeat(100_000) } }],
    ['a body that is not JSON', 415, 'LB_ERR_UNSUPPORTED_MEDIA_TYPE', { raw: 'kind=evacuate', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
    ['a JSON array', 400, 'LB_ERR_VALIDATION', { body: [evacuate] }],
    ['an empty body', 400, 'LB_ERR_VALIDATION', {}],
  ])('When POSTing %s to /v1/operations, then it answers %i %s', async (_what, status, code, options) => {
    const res = await api.call('POST', '/v1/operations', options as never);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe('string');
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
    expect(await lb.deps.queue.list()).toEqual([]);
  });

  it('names an unknown field as the field', async () => {
    const res = await api.call('POST', '/v1/operations', { body: { ...evacuate, colour: 'blue' } });
    expect(res.body.error.message).toBe('colour: unknown field');
  });

  it('names the offending field', async () => {
    const res = await api.call('POST', '/v1/operations', { body: { kind: 'shift', from: 'us-east-1', percent: 150 } });
    expect(res.status).toBe(400);
    expect(res.body.error.details.field).toBe('percent');
  });

  it('answers 404 in JSON for an unknown route and an unknown operation', async () => {
    const route = await api.call('GET', '/v1/nothing');
    expect(route.status).toBe(404);
    expect(route.body.error.code).toBe('LB_ERR_NOT_FOUND');
    const op = await api.call('GET', '/v1/operations/op_abc_0123456789ab');
    expect(op.status).toBe(404);
    const bad = await api.call('GET', '/v1/operations/..%2Fetc');
    expect(bad.status).toBe(400);
  });

  it('rejects an unknown filter in the list query', async () => {
    const res = await api.call('GET', '/v1/operations?state=exploded');
    expect(res.status).toBe(400);
    expect(res.body.error.details.field).toBe('state.0');
  });
});

describe('models', () => {
  it('When listing models, then each comes with its parameters', async () => {
    const res = await api.call('GET', '/v1/models');
    expect(res.status).toBe(200);
    expect(res.body.models.map((m: { name: string }) => m.name).sort()).toEqual(['erlang-c', 'measured', 'proportional', 'throughput']);
    expect(res.body.default).toBe('measured');
    expect(res.body.models.find((m: { name: string }) => m.name === 'measured')).toMatchObject({ fallback: 'proportional', parameters: { horizon: { unit: 'hours', default: 4 } } });
  });

  it('When evaluating the measured model with a load given by hand, then it sizes the new share of the total at the target utilization', async () => {
    // 600 + 600 instance-% all to eu-west-1: 1200 ÷ (100 × 0.6) × 1.1 = 22.
    const res = await api.call('POST', '/v1/models/measured/evaluate', {
      body: { regions: ['us-west-2', 'eu-west-1'], current: [10, 10], share: [0.5, 0.5], targetShare: [0, 1], load: [600, 600], loadCapacity: [100, 100] },
    });
    expect(res.status).toBe(200);
    expect(res.body.required).toEqual({ 'us-west-2': 0, 'eu-west-1': 22 });
  });

  it('When evaluating a model with explicit inputs, then it returns instances per region', async () => {
    // 12,000 rps × 0.5 ÷ (100 × 0.6) = 100.
    const res = await api.call('POST', '/v1/models/throughput/evaluate', {
      body: { regions: ['us-west-2', 'eu-west-1'], current: [10, 10], share: [0.5, 0.5], targetShare: [0.5, 0.5], capacityPerInstance: [100, 100], parameters: { demand: 12000 }, instances: [100, 50] },
    });
    expect(res.status).toBe(200);
    expect(res.body.required).toEqual({ 'us-west-2': 100, 'eu-west-1': 100 });
    expect(res.body.servable['eu-west-1']).toBeCloseTo(0.25, 9);
  });

  it('When the vectors do not match the regions, then it names the field', async () => {
    const res = await api.call('POST', '/v1/models/proportional/evaluate', { body: { regions: ['us-west-2'], current: [1, 2], share: [1], targetShare: [1] } });
    expect(res.status).toBe(400);
    expect(res.body.error.details.field).toBe('current');
  });

  it('When the model does not exist, then 400 with the models there are', async () => {
    const res = await api.call('POST', '/v1/models/magic/evaluate', { body: {} });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('LB_ERR_UNKNOWN_MODEL');
  });
});

describe('health', () => {
  it('When asking /healthz, then the process answers', async () => {
    expect((await api.call('GET', '/healthz')).body).toEqual({ status: 'ok' });
  });

  it('When no worker is running, then /readyz (no token needed) is still ready: this process can serve; /v1/status says no worker is connected', async () => {
    const res = await api.call('GET', '/readyz', { headers: { authorization: '' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { redis: { ok: true } } });
    const status = await api.call('GET', '/v1/status');
    expect(status.status).toBe(200);
    expect(status.body.status.workers).toEqual({ connected: 0 });
    expect(status.body.status.redis).toMatchObject({ connection: 'ready' });
  });
});
