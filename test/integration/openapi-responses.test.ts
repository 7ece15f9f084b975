import { randomUUID } from 'node:crypto';
import Ajv from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '../../src/api/openapi';
import { QUEUE_BOARD_PATH } from '../../src/api/request-kind';
import { ROUTES, openApiPath } from '../../src/api/route-catalog';
import { signTrigger } from '../../src/operations/trigger-signature';
import type { DemoFleetSpec } from '../../src/sandbox/fleet/seed-fleet';
import type { ApiResponse, TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import type { TestLifeboat } from '../support/harness';
import { TEST_TOKENS, testLifeboat } from '../support/harness';
import type { MotoFleet } from '../support/moto-fleet';
import { startMotoFleet } from '../support/moto-fleet';

/**
 * The published OpenAPI document against the API's real answers: a lifeboat on Redis and a
 * moto fleet, every catalog route called (operations run, runbook runs cancelled and
 * approved, a signed trigger, a login), and every answer checked against the schema
 * /openapi.json publishes for its route, status and content type, by an independent JSON
 * Schema validator (ajv), not by the zod schemas the document was generated from.
 */

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
  ],
};
const SECRET = 'a-trigger-secret-of-some-length';
const FINISHED = ['succeeded', 'failed', 'refused', 'cancelled'] as const;

let fleet: MotoFleet;
let lb: TestLifeboat;
let api: TestApi;
let doc: OpenApiDocument;
const ajv = new Ajv({ allErrors: true, validateSchema: false });
/** Every (method, catalog path) whose answer was checked, with the statuses seen. */
const checked = new Map<string, Set<number>>();

beforeAll(async () => {
  fleet = await startMotoFleet(SPEC);
  lb = testLifeboat(fleet.cloud(), { LIFEBOAT_TRIGGER_SECRET: SECRET, LIFEBOAT_RUNBOOK_POLL_MS: '50' });
  lb.startWorker();
  api = await startApi(lb);
  doc = (await api.call('GET', '/openapi.json')).body as OpenApiDocument;
  ajv.addSchema(doc as object, 'openapi.json');
}, 60_000);

afterAll(async () => {
  await api?.close();
  await lb?.close();
  await fleet?.stop();
});

/** A JSON pointer to a place in the document, as a URI fragment. */
function pointer(...segments: string[]): string {
  return '#/' + segments.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
}

/** Checks one real answer against what the document says `method path` answers with its status. */
function conforms(method: string, path: string, res: Pick<ApiResponse, 'status' | 'headers' | 'body'>): void {
  const where = `${method.toUpperCase()} ${path} ${res.status}`;
  const operation = doc.paths[openApiPath(path)]?.[method];
  expect(operation, `${method} ${path} is in the document`).toBeDefined();
  const documented = operation!.responses[String(res.status)] as { content?: Record<string, unknown> } | undefined;
  expect(documented, `${where} is a documented answer`).toBeDefined();
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const content = documented!.content ?? {};
  const key = Object.keys(content).find((k) => k.split(';')[0]!.trim() === mediaType);
  if (res.status === 204) expect(Object.keys(content)).toEqual([]);
  else expect(key, `${where} answers ${mediaType}, documented: ${Object.keys(content).join(', ')}`).toBeDefined();
  if (key === 'application/json') {
    const validate = ajv.compile({ $ref: `openapi.json${pointer('paths', openApiPath(path), method, 'responses', String(res.status), 'content', key, 'schema')}` });
    const valid = validate(res.body);
    expect(valid, `${where}: ${ajv.errorsText(validate.errors, { separator: '\n' })}\n${JSON.stringify(res.body).slice(0, 2000)}`).toBe(true);
  }
  const seen = checked.get(`${method} ${path}`) ?? new Set<number>();
  seen.add(res.status);
  checked.set(`${method} ${path}`, seen);
}

/** Calls a route (catalog path, concrete path) and checks the answer against the document. */
async function call(method: string, path: string, concrete: string = path, options: Parameters<TestApi['call']>[2] = {}): Promise<ApiResponse> {
  const res = await api.call(method.toUpperCase(), concrete, options);
  conforms(method, path, res);
  return res;
}

async function runbookRunAwaitingApproval(): Promise<string> {
  const res = await call('post', '/v1/runbooks/:name/runs', '/v1/runbooks/game-day/runs', { body: { params: { region: 'us-east-1', holdSeconds: 1, stages: 1 } } });
  expect(res.status).toBe(202);
  const id = res.body.operation.id as string;
  for (const until = Date.now() + 30_000; ; ) {
    const view = (await call('get', '/v1/operations/:id', `/v1/operations/${id}`)).body.operation;
    if (view.awaitingApproval) return id;
    if (FINISHED.includes(view.state) || Date.now() > until) throw new Error(`game-day never waited for approval: ${JSON.stringify(view.steps)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// In order (the tests run shuffled elsewhere): the last test checks that the others called every route.
describe('the API answers as /openapi.json says, checked by an independent JSON Schema validator', { shuffle: false }, () => {
  it('health, status, fleet, models, readiness, runbooks and the documents', async () => {
    expect((await call('get', '/healthz')).status).toBe(200);
    expect((await call('get', '/readyz')).status).toBe(200);
    expect((await call('get', '/v1/status')).status).toBe(200);
    expect((await call('get', '/v1/fleet')).status).toBe(200);
    expect((await call('get', '/v1/fleet', '/v1/fleet?fresh=true')).status).toBe(200);
    const models = await call('get', '/v1/models');
    expect((await call('get', '/v1/models/:name', `/v1/models/${models.body.default as string}`)).status).toBe(200);
    // A model sized from instance counts alone, which the body gives.
    const model = 'proportional';
    const evaluation = await call('post', '/v1/models/:name/evaluate', `/v1/models/${model}/evaluate`, {
      body: { regions: SPEC.regions, current: [6, 6, 6], share: [1 / 3, 1 / 3, 1 / 3], targetShare: [0, 0.5, 0.5], capacityPerInstance: [null, null, null] },
    });
    expect(evaluation.status, JSON.stringify(evaluation.body)).toBe(200);
    const readiness = await call('get', '/v1/readiness', '/v1/readiness?refresh=true');
    expect(readiness.status, JSON.stringify(readiness.body)).toBe(200);
    expect((await call('get', '/v1/runbooks')).status).toBe(200);
    expect((await call('get', '/v1/runbooks/:name', '/v1/runbooks/game-day')).status).toBe(200);
    expect((await call('get', '/openapi.json')).status).toBe(200);
    expect((await call('get', '/docs')).status).toBe(200);
    expect((await call('get', '/docs/docs.css')).status).toBe(200);
    expect((await call('get', '/metrics')).status).toBe(200);
    expect((await call('get', '/')).status).toBe(200);
    expect((await call('get', QUEUE_BOARD_PATH)).status).toBe(200);
    expect((await call('get', `${QUEUE_BOARD_PATH}/api/redis/stats`)).status).toBe(200);
  });

  it('plans, dry runs, operations (new and replayed), their list and view, and their event stream', async () => {
    expect((await call('post', '/v1/plans', '/v1/plans', { body: { kind: 'evacuate', region: 'eu-west-1' } })).status).toBe(200);
    const dry = await call('post', '/v1/operations', '/v1/operations', { body: { kind: 'evacuate', region: 'eu-west-1', dryRun: true } });
    expect(dry.body.dryRun).toBe(true);
    const request = { body: { kind: 'evacuate', region: 'eu-west-1', stages: 1, dwellSeconds: 0 }, headers: { 'idempotency-key': `openapi-${randomUUID()}` } };
    const started = await call('post', '/v1/operations', '/v1/operations', request);
    expect(started.status).toBe(202);
    const replayed = await call('post', '/v1/operations', '/v1/operations', request);
    expect(replayed.status).toBe(200);
    const id = started.body.operation.id as string;
    await lb.waitFor(id, [...FINISHED], 60_000);
    const view = await call('get', '/v1/operations/:id', `/v1/operations/${id}`);
    expect(view.body.operation.steps.length).toBeGreaterThan(0);
    // The validator is not lenient: the same answer without the operation's state, or with a field the document does not list, fails.
    const schemaRef = { $ref: `openapi.json${pointer('paths', '/v1/operations/{id}', 'get', 'responses', '200', 'content', 'application/json', 'schema')}` };
    const { state: _state, ...stateless } = view.body.operation;
    expect(ajv.validate(schemaRef, { operation: stateless })).toBe(false);
    expect(ajv.validate(schemaRef, { operation: { ...view.body.operation, surprise: 1 } })).toBe(false);
    expect((await call('get', '/v1/operations')).status).toBe(200);

    // The event stream: its status and content type (the body is a stream, not JSON); read no further.
    const abort = new AbortController();
    const stream = await fetch(`${api.url}/v1/operations/${id}/events`, { headers: { authorization: `Bearer ${TEST_TOKENS.admin}` }, signal: abort.signal });
    conforms('get', '/v1/operations/:id/events', { status: stream.status, headers: stream.headers, body: undefined });
    abort.abort();
    await stream.body?.cancel().catch(() => undefined);

    // Restore what the evacuation changed, through the API too.
    const restore = await call('post', '/v1/operations', '/v1/operations', { body: { kind: 'restore', region: 'eu-west-1', stages: 1, dwellSeconds: 0 } });
    await lb.waitFor(restore.body.operation.id, [...FINISHED], 60_000);
  });

  it('runbook runs cancelled and approved, a signed trigger, and the audit of it all', async () => {
    const toCancel = await runbookRunAwaitingApproval();
    expect((await call('post', '/v1/operations/:id/cancel', `/v1/operations/${toCancel}/cancel`, { body: {} })).status).toBe(202);
    await lb.waitFor(toCancel, [...FINISHED], 60_000);

    const toApprove = await runbookRunAwaitingApproval();
    expect((await call('post', '/v1/operations/:id/approve', `/v1/operations/${toApprove}/approve`, { body: { comment: 'go' } })).status).toBe(200);
    await lb.waitFor(toApprove, [...FINISHED], 60_000);

    const body = JSON.stringify({ alarm: 'HighErrorRate' });
    const path = '/v1/runbooks/readiness-report/trigger';
    const timestamp = String(Math.floor(Date.now() / 1000));
    const triggerId = randomUUID();
    const signature = signTrigger(SECRET, { method: 'POST', path, timestamp, triggerId, body });
    const triggered = await call('post', '/v1/runbooks/:name/trigger', path, {
      raw: body,
      headers: { authorization: '', 'content-type': 'application/json', 'x-lifeboat-timestamp': timestamp, 'x-lifeboat-trigger-id': triggerId, 'x-lifeboat-signature': signature },
    });
    expect(triggered.status).toBe(202);
    await lb.waitFor(triggered.body.operation.id, [...FINISHED], 60_000);

    const audit = await call('get', '/v1/audit');
    expect(audit.body.records.length).toBeGreaterThan(0);
  });

  it('the region switches: their state, and the plan of preparing them', async () => {
    const switches = await call('get', '/v1/switches');
    expect(switches.status).toBe(200);
    expect(switches.body.switches.map((s: { region: string }) => s.region).sort()).toEqual([...SPEC.regions].sort());
    const dry = await call('post', '/v1/switches/prepare', '/v1/switches/prepare', { body: { dryRun: true } });
    expect(dry.status).toBe(200);
    expect(dry.body.dryRun).toBe(true);
  });

  it('the session: log in, who am I, log out', async () => {
    const login = await call('post', '/v1/session', '/v1/session', { body: { token: TEST_TOKENS.viewer }, headers: { authorization: '' } });
    expect(login.status).toBe(200);
    expect((await call('get', '/v1/session')).body.credentials).toBe('bearer');
    expect((await call('delete', '/v1/session')).status).toBe(204);
  });

  it('errors: the Error schema, for a bad request and for an operation that does not exist', async () => {
    expect((await call('post', '/v1/plans', '/v1/plans', { body: { kind: 'evacuate', region: 'mars-north-1' } })).status).toBe(400);
    expect((await call('get', '/v1/operations/:id', '/v1/operations/op_nothing_here')).status).toBe(404);
  });

  it('every catalog route was called and its answer checked', () => {
    const missing = ROUTES.map((r) => `${r.method} ${r.path}`).filter((k) => !checked.has(k));
    expect(missing).toEqual([]);
  });
});
