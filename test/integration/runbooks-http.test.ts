import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DemoFleetSpec } from '../../src/sandbox/fleet/seed-fleet';
import { signTrigger } from '../../src/operations/trigger-signature';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import type { AwsState, MotoFleet } from '../support/moto-fleet';
import { startMotoFleet } from '../support/moto-fleet';
import type { WebhookReceiver } from '../support/webhook-receiver';
import { startWebhookReceiver } from '../support/webhook-receiver';

const SPEC: DemoFleetSpec = {
  regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
  services: [
    {
      name: 'api',
      dns: 'api.example.com',
      regions: {
        'us-east-1': { desired: 6, min: 2, max: 20, weight: 100 },
        'us-west-2': { desired: 6, min: 2, max: 20, weight: 100 },
        'eu-west-1': { desired: 6, min: 2, max: 20, weight: 100 },
      },
    },
    {
      name: 'web',
      dns: 'www.example.com',
      regions: {
        'us-east-1': { desired: 4, min: 1, max: 8, weight: 1 },
        'us-west-2': { desired: 4, min: 1, max: 8, weight: 1 },
        'eu-west-1': { desired: 4, min: 1, max: 8, weight: 1 },
      },
    },
  ],
};

const SECRET = 'a-trigger-secret-of-some-length';
let fleet: MotoFleet;
let lb: TestLifeboat;
let api: TestApi;
let hook: WebhookReceiver;
let initial: AwsState;

beforeAll(async () => {
  fleet = await startMotoFleet(SPEC);
  lb = testLifeboat(fleet.cloud(), { LIFEBOAT_RUNBOOK_POLL_MS: '50', LIFEBOAT_TRIGGER_SECRET: SECRET, LIFEBOAT_TRIGGER_MIN_INTERVAL: '60', LIFEBOAT_OUTBOUND_HOSTS: '127.0.0.1' });
  lb.startWorker();
  api = await startApi(lb);
  hook = await startWebhookReceiver();
  initial = await fleet.state();
}, 60_000);

beforeEach(async () => {
  await fleet.reset();
  await lb.forgetEvacuations();
  hook.messages.length = 0;
});

afterAll(async () => {
  await hook?.close();
  await api?.close();
  await lb?.close();
  await fleet?.stop();
});

async function startRunbook(name: string, params: Record<string, unknown>) {
  const res = await api.call('POST', `/v1/runbooks/${name}/runs`, { body: { params } });
  expect(res.status).toBe(202);
  return res.body.operation.id as string;
}

const finished = (id: string) => lb.waitFor(id, ['succeeded', 'failed', 'refused', 'cancelled'], 60_000);

describe('the shipped runbooks, end to end against moto', () => {
  it('lists the runbooks with their parameters', async () => {
    const res = await api.call('GET', '/v1/runbooks');
    expect(res.body.runbooks.map((r: { name: string }) => r.name).sort()).toEqual(['evacuate-region', 'game-day', 'prepare-dark-capacity', 'readiness-report', 'restore-region', 'shift-traffic']);
    expect(res.body.runbooks.find((r: { name: string }) => r.name === 'game-day').parameters.region).toMatchObject({ type: 'region', required: true });
  });

  it('evacuate-region then restore-region: evacuates through the same operation as the API, announces, and restores', async () => {
    const evac = await finished(await startRunbook('evacuate-region', { region: 'us-east-1', webhook: hook.url, stages: 2 }));
    expect(evac.state).toBe('succeeded');
    expect(evac.steps.map((s) => [s.id, s.state])).toEqual([
      ['preview', 'succeeded'],
      ['safe', 'succeeded'],
      ['announce', 'succeeded'],
      ['evacuate', 'succeeded'],
      ['verify', 'succeeded'],
      ['report', 'succeeded'],
    ]);
    const opId = evac.result!.outputs!.operationId;
    const op = await api.call('GET', `/v1/operations/${opId}`);
    expect(op.body.operation).toMatchObject({ kind: 'evacuate', state: 'succeeded', actor: 'runbook:evacuate-region' });
    expect((await fleet.state()).weights['api.example.com']!['us-east-1']).toBe(0);
    expect(hook.messages.map((m) => m.text)).toEqual([':rotating_light: lifeboat is evacuating us-east-1 (evacuate-region runbook)', expect.stringContaining(':white_check_mark: evacuate us-east-1: done')]);

    const restore = await finished(await startRunbook('restore-region', { region: 'us-east-1' }));
    expect(restore.state).toBe('succeeded');
    expect(restore.steps.filter((s) => s.state === 'skipped').map((s) => s.id)).toEqual(['announce', 'report']);
    expect((await fleet.state()).weights).toEqual(initial.weights);
  });

  it('shift-traffic: moves a share of one region to another', async () => {
    const run = await finished(await startRunbook('shift-traffic', { from: 'us-west-2', to: 'eu-west-1', percent: 50 }));
    expect(run.state).toBe('succeeded');
    expect(run.steps.filter((s) => s.state === 'succeeded').map((s) => s.id)).toEqual(['previewTo', 'safe', 'shiftTo']);
    const w = (await fleet.state()).weights['api.example.com']!;
    // 1/3 each; half of us-west-2's third goes to eu-west-1: 2 : 1 : 3, on the operator's scale of 300.
    expect(w).toEqual({ 'us-east-1': 100, 'us-west-2': 50, 'eu-west-1': 150 });
  });

  it('readiness-report: reports N+1 readiness, and fails when a region could not be absorbed', async () => {
    const ok = await finished(await startRunbook('readiness-report', { webhook: hook.url }));
    expect(ok.state).toBe('succeeded');
    expect(ok.result!.outputs!.ready).toBe(true);
    expect(hook.messages[0]).toMatchObject({ text: 'N+1 readiness: N+1 ready: every region can be absorbed by the others', ready: true });

    // web's MaxSize of 8 cannot take half the traffic of a region with 4 instances at 1/3... with 0% growth it can (8 ≥ 7); shrink it.
    const res = await api.call('POST', '/v1/operations', { body: { kind: 'scale', region: 'us-west-2', service: 'web', desiredCapacity: 4, maxSize: 4 } });
    expect(res.status).toBe(202);
    await finished(res.body.operation.id);
    const bad = await finished(await startRunbook('readiness-report', {}));
    expect(bad.state).toBe('failed');
    expect(bad.error?.message).toContain('not N+1 ready: us-east-1, eu-west-1 could not be absorbed');
    const report = await api.call('GET', '/v1/readiness');
    expect(report.body.readiness.ready).toBe(false);
    const usEast = report.body.readiness.regions.find((r: { region: string }) => r.region === 'us-east-1');
    expect(usEast.services.find((s: { service: string }) => s.service === 'web').survivors).toContainEqual({ region: 'us-west-2', needed: 7, obtainable: 4, headroom: -3 });
  });

  it('game-day: checks readiness, waits at its approval until approved through the API, evacuates, holds, verifies, restores', async () => {
    const id = await startRunbook('game-day', { region: 'us-east-1', holdSeconds: 1, stages: 1, webhook: hook.url });
    let view;
    for (const until = Date.now() + 20_000; ; ) {
      view = (await api.call('GET', `/v1/operations/${id}`)).body.operation;
      if (view.awaitingApproval) break;
      if (Date.now() > until) throw new Error(JSON.stringify(view.steps));
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(view.awaitingApproval.message).toBe('Evacuate us-east-1 for the game day?');
    expect((await fleet.state()).weights, 'nothing moves before the approval').toEqual(initial.weights);
    const approve = await api.call('POST', `/v1/operations/${id}/approve`, { body: { comment: 'go' } });
    expect(approve.status).toBe(200);
    const done = await finished(id);
    expect(done.state).toBe('succeeded');
    expect(done.steps.map((s) => s.state)).toEqual(Array(9).fill('succeeded'));
    expect(done.steps.find((s) => s.id === 'approval')!.outcome).toBe('approved by api:admin: go');
    expect((await fleet.state()).weights, 'restored at the end').toEqual(initial.weights);
    expect(hook.messages.map((m) => String(m.text).split(':')[1])).toEqual(['game_die', 'white_check_mark']);
  });

  it('a run is an operation: listed, visible and cancellable through /v1/operations', async () => {
    const id = await startRunbook('game-day', { region: 'us-east-1', holdSeconds: 1 });
    const list = await api.call('GET', '/v1/operations?kind=runbook&state=queued,running');
    expect(list.body.operations.map((o: { id: string }) => o.id)).toContain(id);
    const cancel = await api.call('POST', `/v1/operations/${id}/cancel`, { body: {} });
    expect(cancel.status).toBe(202);
    const done = await finished(id);
    expect(done.state).toBe('cancelled');
    expect((await fleet.state()).weights).toEqual(initial.weights);
  });
});

describe('webhook triggers', () => {
  const post = (body: string, headers: Record<string, string>) => api.call('POST', '/v1/runbooks/readiness-report/trigger', { raw: body, headers: { 'content-type': 'application/json', ...headers } });
  /** Signed as docs/runbooks.md says: method, path, timestamp, a new trigger id, body. */
  const signed = (secret: string, body: string) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const triggerId = randomUUID();
    const signature = signTrigger(secret, { method: 'POST', path: '/v1/runbooks/readiness-report/trigger', timestamp, triggerId, body });
    return { 'x-lifeboat-timestamp': timestamp, 'x-lifeboat-trigger-id': triggerId, 'x-lifeboat-signature': signature };
  };

  it('refuse an unsigned request and a wrong signature', async () => {
    const body = JSON.stringify({ alarm: 'HighErrorRate' });
    expect((await post(body, {})).body.error.code).toBe('LB_ERR_TRIGGER_SIGNATURE');
    const res = await post(body, signed('wrong-secret-wrong-secret', body));
    expect(res.status).toBe(401);
  });

  it('start a signed run, record the payload and the trigger, and refuse a second one within the interval', async () => {
    const body = JSON.stringify({ alarm: 'HighErrorRate', params: { failWhenNotReady: false } });
    const res = await post(body, { ...signed(SECRET, body), 'x-lifeboat-trigger': 'cloudwatch' });
    expect(res.status).toBe(202);
    expect(res.body.operation).toMatchObject({ kind: 'runbook', actor: 'trigger:cloudwatch', request: { params: { failWhenNotReady: false }, trigger: { name: 'cloudwatch', payload: { alarm: 'HighErrorRate' } } } });
    expect((await finished(res.body.operation.id)).state).toBe('succeeded');
    const again = await post(body, signed(SECRET, body));
    expect(again.status).toBe(429);
    expect(again.body.error.details.retryAfterSeconds).toBeGreaterThan(0);
  });
});
