import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DryRunCloud } from '../../src/cloud/dry-run/dry-run-cloud';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import { fleetReading } from '../support/fleet-fixture';
import type { TestLifeboat } from '../support/harness';
import { TEST_TOKENS, testLifeboat } from '../support/harness';
import { testPrefix } from '../support/test-prefix';

const reading = () =>
  fleetReading([
    {
      name: 'api',
      dns: 'api.example.com',
      regions: {
        'us-east-1': { desired: 4, min: 1, max: 16, weight: 100 },
        'us-west-2': { desired: 4, min: 1, max: 16, weight: 100 },
        'eu-west-1': { desired: 4, min: 1, max: 16, weight: 100 },
      },
    },
  ]);

let lb: TestLifeboat;
let api: TestApi;
let cloud: DryRunCloud;
beforeAll(async () => {
  cloud = new DryRunCloud(reading());
  lb = testLifeboat(cloud, { LIFEBOAT_TWO_PERSON_RULE: 'true', LIFEBOAT_RUNBOOK_POLL_MS: '50' });
  lb.startWorker();
  api = await startApi(lb);
});
afterAll(async () => {
  await api.close();
  await lb.close();
});

const as = (token: string | null) => ({ authorization: token === null ? '' : `Bearer ${token}` });

/** Every endpoint that changes something, with a body that would be accepted. */
const MUTATING: Array<{ path: string; body: unknown; role: 'operator' | 'approver' }> = [
  { path: '/v1/plans', body: { kind: 'evacuate', region: 'us-east-1' }, role: 'operator' },
  { path: '/v1/operations', body: { kind: 'scale', region: 'us-west-2', service: 'api', desiredCapacity: 5 }, role: 'operator' },
  { path: '/v1/operations/op_x_0123456789ab/cancel', body: {}, role: 'operator' },
  { path: '/v1/operations/op_x_0123456789ab/approve', body: {}, role: 'approver' },
  { path: '/v1/runbooks/readiness-report/runs', body: { params: {} }, role: 'operator' },
];

describe('authentication and roles', () => {
  it.each(MUTATING.map((m) => [m.path, m] as const))('POST %s: 401 without a token or with a bad one, 403 without the role', async (_path, m) => {
    const none = await api.call('POST', m.path, { body: m.body, headers: as(null) });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('LB_ERR_UNAUTHENTICATED');
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="lifeboat"');
    const bad = await api.call('POST', m.path, { body: m.body, headers: as('lbt_not-a-real-token-at-all') });
    expect(bad.status).toBe(401);
    const viewer = await api.call('POST', m.path, { body: m.body, headers: as(TEST_TOKENS.viewer) });
    expect(viewer.status).toBe(403);
    expect(viewer.body.error).toMatchObject({ code: 'LB_ERR_FORBIDDEN', details: { needed: m.role, roles: ['viewer'] } });
    const other = await api.call('POST', m.path, { body: m.body, headers: as(m.role === 'operator' ? TEST_TOKENS.approver : TEST_TOKENS.operator) });
    expect(other.status).toBe(403);
    // The right role gets past authentication (whatever the request then comes to).
    const right = await api.call('POST', m.path, { body: m.body, headers: as(m.role === 'operator' ? TEST_TOKENS.operator : TEST_TOKENS.approver) });
    expect([401, 403]).not.toContain(right.status);
  });

  it('lets every role read, and only /healthz and /readyz answer without a token', async () => {
    for (const token of [TEST_TOKENS.viewer, TEST_TOKENS.operator, TEST_TOKENS.approver, TEST_TOKENS.admin]) {
      expect((await api.call('GET', '/v1/operations', { headers: as(token) })).status).toBe(200);
    }
    expect((await api.call('GET', '/healthz', { headers: as(null) })).status).toBe(200);
    expect((await api.call('GET', '/readyz', { headers: as(null) })).status).toBe(200);
    for (const path of ['/v1/status', '/v1/fleet', '/v1/models', '/v1/audit', '/v1/runbooks']) {
      expect((await api.call('GET', path, { headers: as(null) })).status, path).toBe(401);
    }
  });

  it('never echoes the token in an error', async () => {
    const res = await api.call('POST', '/v1/operations', { body: { kind: 'evacuate' }, headers: as(TEST_TOKENS.viewer) });
    expect(res.text).not.toContain(TEST_TOKENS.viewer);
  });
});

describe('the audit trail', () => {
  it('records a full evacuation and restore in order: who asked, every AWS change before and after, with the plan hash', async () => {
    const evac = await api.call('POST', '/v1/operations', { body: { kind: 'evacuate', pace: 'stages', region: 'us-east-1', stages: 1 }, headers: as(TEST_TOKENS.operator) });
    expect(evac.status).toBe(202);
    expect((await lb.waitFor(evac.body.operation.id)).state).toBe('succeeded');
    const rest = await api.call('POST', '/v1/operations', { body: { kind: 'restore', region: 'us-east-1', stages: 1 }, headers: as(TEST_TOKENS.operator) });
    expect((await lb.waitFor(rest.body.operation.id)).state).toBe('succeeded');

    const trail = async (id: string) => {
      const res = await api.call('GET', `/v1/audit?operation=${id}`, { headers: as(TEST_TOKENS.viewer) });
      expect(res.status).toBe(200);
      return [...res.body.records].reverse() as Array<Record<string, unknown>>;
    };
    const evacTrail = await trail(evac.body.operation.id);
    expect(evacTrail.map((r) => [r.action, r.outcome, r.actor])).toEqual([
      ['operation.submit', 'accepted', 'api:operator'],
      // The survivors' scheduled actions stop while they are pinned.
      ['aws.suspendProcesses', 'succeeded', 'api:operator'],
      ['aws.suspendProcesses', 'succeeded', 'api:operator'],
      // Both survivors' pins in one write, before either is resized.
      ['aws.recordPins', 'succeeded', 'api:operator'],
      ['aws.setGroupSize', 'succeeded', 'api:operator'],
      ['aws.setGroupSize', 'succeeded', 'api:operator'],
      ['aws.setWeights', 'succeeded', 'api:operator'],
    ]);
    const hash = evacTrail[0]!.planHash;
    expect(hash).toMatch(/^[a-f0-9]{64}$/);
    for (const r of evacTrail) expect(r.planHash).toBe(hash);
    for (const r of evacTrail.slice(1)) expect(r.completedAt).toBeDefined();

    const restTrail = await trail(rest.body.operation.id);
    expect(restTrail.map((r) => r.action)).toEqual([
      'operation.submit',
      'aws.suspendProcesses',
      'aws.recordPins',
      'aws.setGroupSize',
      'aws.setWeights',
      'aws.setGroupSize',
      'aws.setGroupSize',
      'aws.setGroupSize',
      // The groups back at their own bounds lose their pin records, after their resizes.
      'aws.erasePins',
      // What lifeboat suspended, on the restored region and the survivors, runs again.
      'aws.resumeProcesses',
      'aws.resumeProcesses',
      'aws.resumeProcesses',
    ]);
    expect(new Date(String(restTrail[0]!.at)).getTime()).toBeGreaterThanOrEqual(new Date(String(evacTrail[evacTrail.length - 1]!.at)).getTime());
  });

  it('filters by actor, region and time, and records refusals and denied requests', async () => {
    await api.call('POST', '/v1/operations', { body: { kind: 'restore', region: 'us-west-2' }, headers: as(TEST_TOKENS.approver2) });
    await api.call('POST', '/v1/operations', { body: { kind: 'scale', region: 'eu-west-1', service: 'api', desiredCapacity: 6 }, headers: as(TEST_TOKENS.viewer) });
    const refused = await api.call('GET', '/v1/audit?actor=api:approver2', { headers: as(TEST_TOKENS.viewer) });
    expect(refused.body.records[0]).toMatchObject({ action: 'operation.submit', outcome: 'refused', error: { code: 'LB_ERR_REGION_NOT_EVACUATED' } });
    const denied = await api.call('GET', '/v1/audit?action=auth.denied', { headers: as(TEST_TOKENS.viewer) });
    expect(denied.body.records[0]).toMatchObject({ actor: 'api:viewer', outcome: 'denied', inputs: { method: 'POST', path: '/v1/operations' } });
    const future = await api.call('GET', `/v1/audit?from=${new Date(Date.now() + 3600_000).toISOString()}`, { headers: as(TEST_TOKENS.viewer) });
    expect(future.body.records).toEqual([]);
    // An AWS change of its own in eu-west-1, so the region filter has something to find.
    const scaled = await api.call('POST', '/v1/operations', { body: { kind: 'scale', region: 'eu-west-1', service: 'api', desiredCapacity: 5 }, headers: as(TEST_TOKENS.operator) });
    expect(scaled.status, scaled.text).toBe(202);
    expect((await lb.waitFor(scaled.body.operation.id)).state).toBe('succeeded');
    const region = await api.call('GET', '/v1/audit?region=eu-west-1&action=aws', { headers: as(TEST_TOKENS.viewer) });
    expect(region.body.records.length).toBeGreaterThan(0);
    for (const r of region.body.records) expect(r.regions).toContain('eu-west-1');
    const bad = await api.call('GET', '/v1/audit?from=yesterday', { headers: as(TEST_TOKENS.viewer) });
    expect(bad.status).toBe(400);
  });

  it('keeps secrets out: a webhook URL in a run’s parameters is recorded without its path', async () => {
    const res = await api.call('POST', '/v1/runbooks/readiness-report/runs', { body: { params: { webhook: 'https://hooks.example.com/services/T000/B000/SECRETxyz', failWhenNotReady: false } } });
    expect(res.status).toBe(202);
    const audit = await api.call('GET', `/v1/audit?operation=${res.body.operation.id}`);
    expect(JSON.stringify(audit.body)).not.toContain('SECRETxyz');
    expect(audit.body.records[0].inputs.params.webhook).toBe('https://hooks.example.com/[redacted]');
  });
});

describe('two-person rule', () => {
  it('refuses an approval by whoever started the run, and accepts another approver', async () => {
    const started = await api.call('POST', '/v1/runbooks/game-day/runs', { body: { params: { region: 'us-east-1', holdSeconds: 0, stages: 1 } }, headers: as(TEST_TOKENS.approver2) });
    expect(started.status).toBe(202);
    const id = started.body.operation.id;
    for (const until = Date.now() + 10_000; !(await api.call('GET', `/v1/operations/${id}`)).body.operation.awaitingApproval; ) {
      if (Date.now() > until) throw new Error('no approval step reached');
      await new Promise((r) => setTimeout(r, 25));
    }
    const self = await api.call('POST', `/v1/operations/${id}/approve`, { body: {}, headers: as(TEST_TOKENS.approver2) });
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe('LB_ERR_APPROVAL_SAME_ACTOR');
    const other = await api.call('POST', `/v1/operations/${id}/approve`, { body: { comment: 'second pair of eyes' }, headers: as(TEST_TOKENS.approver) });
    expect(other.status).toBe(200);
    expect((await lb.waitFor(id, undefined, 20_000)).state).toBe('succeeded');
  });
});

describe('hardening', () => {
  it('sends security headers and never lets a response be cached', async () => {
    const res = await api.call('GET', '/v1/models');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('refuses a __proto__ key anywhere in a body instead of dropping it, and starts nothing', async () => {
    const before = (await api.call('GET', '/v1/operations')).body.operations.length as number;
    const cases = [
      { path: '/v1/plans', raw: '{"kind":"evacuate","region":"us-east-1","parameters":{"__proto__":2}}', field: 'parameters.__proto__' },
      { path: '/v1/operations', raw: '{"kind":"shift","from":"us-east-1","weights":{"us-west-2":1,"__proto__":{"x":1}}}', field: 'weights.__proto__' },
      { path: '/v1/runbooks/readiness-report/runs', raw: '{"params":{"__proto__":true}}', field: 'params.__proto__' },
      { path: '/v1/plans', raw: '{"__proto__":{"kind":"evacuate"}}', field: '__proto__' },
    ];
    for (const c of cases) {
      const res = await api.call('POST', c.path, { raw: c.raw, headers: { 'content-type': 'application/json' } });
      expect(res.status, c.raw).toBe(400);
      expect(res.body.error, c.raw).toMatchObject({ code: 'LB_ERR_VALIDATION', details: { field: c.field } });
    }
    expect((await api.call('GET', '/v1/operations')).body.operations.length).toBe(before);
  });

  it('sends no CORS headers unless an origin is configured', async () => {
    const res = await api.call('OPTIONS', '/v1/operations', { headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('separately configured lifeboats', () => {
  it('rate-limits changes per token, with Retry-After, and allows CORS for a configured origin', async () => {
    const limited = testLifeboat(new DryRunCloud(reading()), { LIFEBOAT_RATE_LIMIT_BURST: '3', LIFEBOAT_RATE_LIMIT_PER_MINUTE: '6', LIFEBOAT_CORS_ORIGINS: 'https://ops.example.com' });
    const limitedApi = await startApi(limited);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await limitedApi.call('POST', '/v1/plans', { body: { kind: 'evacuate', region: 'us-east-1' } })).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const last = await limitedApi.call('POST', '/v1/plans', { body: { kind: 'evacuate', region: 'us-east-1' } });
      expect(last.body.error.code).toBe('LB_ERR_RATE_LIMITED');
      expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another token has its own bucket; reads are not limited.
      expect((await limitedApi.call('POST', '/v1/plans', { body: { kind: 'evacuate', region: 'us-east-1' }, headers: as(TEST_TOKENS.operator) })).status).toBe(200);
      expect((await limitedApi.call('GET', '/v1/operations')).status).toBe(200);
      const cors = await limitedApi.call('OPTIONS', '/v1/operations', { headers: { origin: 'https://ops.example.com', 'access-control-request-method': 'POST' } });
      expect(cors.status).toBe(204);
      expect(cors.headers.get('access-control-allow-origin')).toBe('https://ops.example.com');
      expect(cors.headers.get('access-control-allow-headers')).toContain('Authorization');
    } finally {
      await limitedApi.close();
      await limited.close();
    }
  });
});

describe('starting the API', () => {
  const start = (env: Record<string, string>) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [join(__dirname, '..', '..', 'node_modules', 'ts-node', 'dist', 'bin.js'), '--transpile-only', 'src/app/api-main.ts'], {
        cwd: join(__dirname, '..', '..'),
        // A prefix of the test run's own: the API creates its queues in Redis as it starts.
        env: { ...process.env, LOG_LEVEL: 'silent', PORT: '0', LIFEBOAT_REDIS_PREFIX: testPrefix('api-start-'), LIFEBOAT_TOKENS: '', LIFEBOAT_TOKENS_FILE: '', LIFEBOAT_INSECURE_DEV: '', ...env },
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => {
        output += d.toString();
        if (output.includes('INSECURE DEVELOPMENT MODE')) child.kill('SIGTERM');
      });
      child.on('exit', (code) => resolve({ code, output }));
    });

  it('refuses to start with no tokens configured, saying how to make one', async () => {
    const { code, output } = await start({});
    expect(code).toBe(1);
    expect(output).toContain('LB_ERR_UNAUTHENTICATED: no API tokens are configured');
    expect(output).toContain('npm run token');
  }, 30_000);

  it('starts in insecure development mode only when asked, and says so', async () => {
    const { output } = await start({ LIFEBOAT_INSECURE_DEV: 'true' });
    expect(output).toContain('INSECURE DEVELOPMENT MODE');
  }, 30_000);
});
