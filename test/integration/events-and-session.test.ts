import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationEventsRouter } from '../../src/api/routes/operation-events';
import type { DemoFleetSpec } from '../../src/sandbox/fleet/seed-fleet';
import type { OperationEventType } from '../../src/operations/ports/operation-events';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import type { TestLifeboat } from '../support/harness';
import { TEST_TOKENS, testLifeboat } from '../support/harness';
import type { MotoFleet } from '../support/moto-fleet';
import { startMotoFleet } from '../support/moto-fleet';

/**
 * GET /v1/operations/:id/events (server-sent events) and the dashboard's browser session
 * (POST/GET/DELETE /v1/session, the cookie accepted by authentication), over real HTTP,
 * real Redis and a real moto. Most stream tests publish events themselves for an operation
 * that stays queued (that lifeboat runs no worker), so what arrives when is up to the test;
 * one follows a real evacuation from start to end.
 */

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const SPEC: DemoFleetSpec = {
  regions: REGIONS,
  services: [
    { name: 'api', dns: 'api.example.com', capacityPerInstance: 100, regions: Object.fromEntries(REGIONS.map((r) => [r, { desired: 4, min: 2, max: 12, weight: 100 }])) },
    { name: 'web', dns: 'www.example.com', regions: Object.fromEntries(REGIONS.map((r) => [r, { desired: 2, min: 1, max: 6, weight: 100 }])) },
  ],
};

let fleet: MotoFleet;
/** No worker: its operations stay queued, and their events are whatever a test publishes. */
let idle: TestLifeboat;
let idleApi: TestApi;
/** A worker: operations run. */
let busy: TestLifeboat;
let busyApi: TestApi;
/** Every stream a test opened, closed in afterAll whatever happened. */
const openStreams: Array<{ close(): void }> = [];


beforeAll(async () => {
  fleet = await startMotoFleet(SPEC);
  idle = testLifeboat(fleet.cloud());
  idleApi = await startApi(idle);
  feedConnection = `lifeboat-sse:${idle.deps.settings.LIFEBOAT_REDIS_PREFIX}`;
  busy = testLifeboat(fleet.cloud());
  busy.startWorker();
  busyApi = await startApi(busy);
}, 60_000);

afterAll(async () => {
  // A test that failed mid-stream must not leave the servers waiting for its stream to end.
  for (const stream of openStreams) stream.close();
  await idleApi?.close();
  await busyApi?.close();
  await idle?.close();
  await busy?.close();
  await fleet?.stop();
}, 60_000);

// ----------------------------------------------------------------------------------------------
// A small SSE client over fetch: frames as they arrive, comments included.

interface Frame {
  id?: string;
  event?: string;
  data?: string;
  retry?: number;
  comment?: string;
}

interface EventStream {
  status: number;
  headers: Headers;
  /** The next frame, or an error after `timeoutMs`. */
  next(timeoutMs?: number): Promise<Frame>;
  /** The next frame that is an event (not a comment or retry). */
  nextEvent(timeoutMs?: number): Promise<Frame & { id: string; event: string; data: string }>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

async function openStream(baseUrl: string, path: string, headers: Record<string, string> = { authorization: `Bearer ${TEST_TOKENS.viewer}` }): Promise<EventStream> {
  const abort = new AbortController();
  openStreams.push({ close: () => abort.abort() });
  const res = await fetch(baseUrl + path, { headers, signal: abort.signal });
  const frames: Frame[] = [];
  const waiting: Array<() => void> = [];
  let finished = false;
  let endedResolve!: () => void;
  const ended = new Promise<void>((resolve) => (endedResolve = resolve));
  const wake = () => waiting.splice(0).forEach((w) => w());
  const pump = async () => {
    if (!res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const frame: Frame = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) frame.comment = line.slice(1).trim();
            else {
              const [field, ...rest] = line.split(':');
              const value = rest.join(':').replace(/^ /, '');
              if (field === 'id' || field === 'event' || field === 'data') frame[field] = value;
              if (field === 'retry') frame.retry = Number(value);
            }
          }
          frames.push(frame);
          wake();
        }
      }
    } catch {
      // aborted by the test
    } finally {
      finished = true;
      endedResolve();
      wake();
    }
  };
  void pump();
  const next = async (timeoutMs = 5000): Promise<Frame> => {
    const deadline = Date.now() + timeoutMs;
    while (frames.length === 0) {
      if (finished) throw new Error('the stream ended');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame in ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return frames.shift()!;
  };
  return {
    status: res.status,
    headers: res.headers,
    next,
    async nextEvent(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const frame = await next(Math.max(1, deadline - Date.now()));
        if (frame.event !== undefined) return frame as Frame & { id: string; event: string; data: string };
      }
    },
    ended,
    close: () => abort.abort(),
  };
}

/**
 * A scale operation that stays queued on the idle lifeboat: a real id whose events the test writes.
 * It holds its region for good (no worker ever runs it), so there is one per region, made by
 * whichever test asks first: every test gets its operation whatever order the tests run in.
 */
const queuedByRegion = new Map<string, Promise<string>>();
function queuedOperation(region: string): Promise<string> {
  let id = queuedByRegion.get(region);
  if (!id) {
    id = idleApi.call('POST', '/v1/operations', { body: { kind: 'scale', region, service: 'web', desiredCapacity: 3 } }).then((res) => {
      expect(res.status, res.text).toBe(202);
      return res.body.operation.id as string;
    });
    queuedByRegion.set(region, id);
  }
  return id;
}

async function publish(operationId: string, type: OperationEventType, data: Record<string, unknown> = {}): Promise<void> {
  await idle.deps.events.publish({ type, operationId, kind: 'scale', at: new Date().toISOString(), data });
}

/** Names of the Redis connections open now (CLIENT LIST). */
async function connectionNames(): Promise<string[]> {
  const list = (await idle.redis.client('LIST')) as string;
  return list
    .split('\n')
    .map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '')
    .filter(Boolean);
}

/** Names of the Redis connections blocked in a command now (CLIENT LIST flags=b). */
async function blockedConnections(): Promise<string[]> {
  const list = (await idle.redis.client('LIST')) as string;
  return list
    .split('\n')
    .filter((line) => /(?:^| )flags=\S*b/.test(line))
    .map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '')
    .filter(Boolean);
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

/** The name of the idle lifeboat's event feed connection: one per process (src/redis/redis-event-feed.ts). */
let feedConnection: string;

const sessionCookieOf = (res: { headers: Headers }) => res.headers.getSetCookie().find((c) => c.startsWith('lifeboat_token='));

// ----------------------------------------------------------------------------------------------

describe('GET /v1/operations/:id/events', () => {
  it('When a viewer streams an operation, then it gets the events so far, then new ones as they happen, and the stream ends after operation.finished', async () => {
    const id = await queuedOperation('us-east-1');
    await publish(id, 'operation.started', { actor: 'api:admin' });
    await publish(id, 'step.started', { step: 'guard' });

    const stream = await openStream(idleApi.url, `/v1/operations/${id}/events`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.headers.get('cache-control')).toBe('no-store');
    expect((await stream.next()).retry).toBeGreaterThan(0);

    const first = await stream.nextEvent();
    const second = await stream.nextEvent();
    expect([first.event, second.event]).toEqual(['operation.started', 'step.started']);
    expect(first.id).toMatch(/^\d+-\d+$/);
    expect(JSON.parse(first.data)).toMatchObject({ id: first.id, type: 'operation.started', operationId: id, data: { actor: 'api:admin' } });

    // The stream now waits on the process's event feed, in XREAD BLOCK on the feed's own connection: the shared one answers at once.
    await eventually('the event feed blocked in XREAD on its own connection', async () => (await blockedConnections()).includes(feedConnection));
    expect(await idle.redis.ping()).toBe('PONG');
    expect((await connectionNames()).filter((n) => n.startsWith('lifeboat-sse:op_'))).toEqual([]);

    await publish(id, 'step.finished', { step: 'guard', state: 'succeeded' });
    const live = await stream.nextEvent(3000);
    expect(live.event).toBe('step.finished');
    expect(live.id > second.id).toBe(true);

    await publish(id, 'operation.finished', { state: 'succeeded' });
    expect((await stream.nextEvent(3000)).event).toBe('operation.finished');
    await stream.ended;
  });

  it('When a client resumes with Last-Event-ID (or ?after=), then it gets only the events after that one', async () => {
    const id = await queuedOperation('us-west-2');
    for (const step of ['guard', 'prescale', 'await-capacity']) await publish(id, 'step.started', { step });
    const all = await openStream(idleApi.url, `/v1/operations/${id}/events`);
    const ids = [(await all.nextEvent()).id, (await all.nextEvent()).id, (await all.nextEvent()).id];
    all.close();

    const resumed = await openStream(idleApi.url, `/v1/operations/${id}/events`, { authorization: `Bearer ${TEST_TOKENS.viewer}`, 'last-event-id': ids[0]! });
    const after = await resumed.nextEvent();
    expect(after.id).toBe(ids[1]);
    expect(JSON.parse(after.data).data.step).toBe('prescale');
    resumed.close();

    const byQuery = await openStream(idleApi.url, `/v1/operations/${id}/events?after=${ids[1]}`);
    expect((await byQuery.nextEvent()).id).toBe(ids[2]);
    byQuery.close();
  });

  it('When the client goes away mid-stream, then the stream no longer counts against its token', async () => {
    const id = await queuedOperation('eu-west-1');
    // One stream per token here, so a second is refused until the first client leaves.
    const deps = idle.apiDeps();
    const app = express().use('/v1/operations', operationEventsRouter({ ...deps, settings: { ...deps.settings, LIFEBOAT_SSE_STREAMS_PER_TOKEN: 1 } }));
    const server: Server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const stream = await openStream(url, `/v1/operations/${id}/events`, {});
      expect(stream.status).toBe(200);
      await stream.next(); // retry: the stream is open and following
      expect((await fetch(`${url}/v1/operations/${id}/events`)).status).toBe(429);
      stream.close();
      await eventually('a new stream once the client left', async () => {
        const again = await fetch(`${url}/v1/operations/${id}/events`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
        void again?.body?.cancel();
        return again?.status === 200;
      });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('When nothing happens for a while, then the stream sends heartbeat comments', async () => {
    const id = await queuedOperation('us-west-2');
    const app = express().use('/v1/operations', operationEventsRouter(idle.apiDeps(), { heartbeatMs: 100, blockMs: 300 }));
    const server: Server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const latest = (await idle.redis.xrevrange(`${idle.deps.settings.LIFEBOAT_REDIS_PREFIX}:events:${id}`, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0';
      const stream = await openStream(url, `/v1/operations/${id}/events?after=${latest}`, {});
      await stream.next(); // retry
      const frame = await stream.next(2000);
      expect(frame.comment).toBe('heartbeat');
      stream.close();
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('When the id is unknown, the Last-Event-ID is not an event id or no token is sent, then it is a 404, 400 or 401 as JSON', async () => {
    const unknown = await idleApi.call('GET', '/v1/operations/op_nosuch_0000/events');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('LB_ERR_NOT_FOUND');

    const id = await queuedOperation('eu-west-1');
    const bad = await idleApi.call('GET', `/v1/operations/${id}/events`, { headers: { 'last-event-id': 'yesterday' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('LB_ERR_VALIDATION');

    const anonymous = await idleApi.call('GET', `/v1/operations/${id}/events`, { headers: { authorization: '' } });
    expect(anonymous.status).toBe(401);
  });

  it('When an evacuation runs, then its stream carries every step live, ends with operation.finished, and a resume after that is a 204', async () => {
    const login = await busyApi.call('POST', '/v1/session', { body: { token: TEST_TOKENS.viewer }, headers: { authorization: '' } });
    const cookie = sessionCookieOf(login)!.split(';')[0]!;
    const submitted = await busyApi.call('POST', '/v1/operations', { body: { kind: 'evacuate', pace: 'stages', region: 'us-east-1', stages: [50, 100] } });
    expect(submitted.status, submitted.text).toBe(202);
    const id = submitted.body.operation.id as string;

    // Through the session cookie, as the dashboard's EventSource does.
    const stream = await openStream(busyApi.url, `/v1/operations/${id}/events`, { cookie });
    expect(stream.status).toBe(200);
    const events: Array<{ id: string; event: string; data: Record<string, unknown> }> = [];
    for (;;) {
      const e = await stream.nextEvent(20_000);
      events.push({ id: e.id, event: e.event, data: (JSON.parse(e.data) as { data: Record<string, unknown> }).data });
      if (e.event === 'operation.finished') break;
    }
    await stream.ended;

    const types = events.map((e) => e.event);
    expect(types[0]).toBe('operation.started');
    expect(types).toEqual(expect.arrayContaining(['step.started', 'step.finished', 'capacity.progress', 'weights.applied']));
    expect(events.at(-1)!.data.state).toBe('succeeded');
    expect(events.filter((e) => e.event === 'weights.applied')).toHaveLength(2);
    // Stream ids only grow: each event once, in order.
    const position = (id: string) => id.split('-').map(Number) as [number, number];
    for (let i = 1; i < events.length; i++) {
      const [a, b] = [position(events[i - 1]!.id), position(events[i]!.id)];
      expect(b[0] > a[0] || (b[0] === a[0] && b[1] > a[1]), `${events[i - 1]!.id} < ${events[i]!.id}`).toBe(true);
    }

    const again = await fetch(`${busyApi.url}/v1/operations/${id}/events`, { headers: { cookie, 'last-event-id': events.at(-1)!.id } });
    expect(again.status).toBe(204);
    const replay = await openStream(busyApi.url, `/v1/operations/${id}/events`, { cookie, 'last-event-id': events.at(-2)!.id });
    expect((await replay.nextEvent()).event).toBe('operation.finished');
    await replay.ended;
  }, 40_000);
});

describe('the browser session (POST, GET, DELETE /v1/session)', () => {
  async function login(token: string): Promise<string> {
    const res = await idleApi.call('POST', '/v1/session', { body: { token }, headers: { authorization: '' } });
    expect(res.status, res.text).toBe(200);
    return sessionCookieOf(res)!.split(';')[0]!;
  }

  it('When a valid token is posted, then an HttpOnly, SameSite=Strict cookie is set; an unknown token is a 401 with no cookie', async () => {
    const wrong = await idleApi.call('POST', '/v1/session', { body: { token: 'lbt_not-a-known-token-000000' }, headers: { authorization: '' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('LB_ERR_UNAUTHENTICATED');
    expect(sessionCookieOf(wrong)).toBeUndefined();

    const ok = await idleApi.call('POST', '/v1/session', { body: { token: TEST_TOKENS.operator }, headers: { authorization: '' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ identity: { name: 'operator', roles: ['operator'] }, credentials: 'cookie' });
    const cookie = sessionCookieOf(ok)!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; Max-Age=\d+/);
    expect(cookie).not.toMatch(/; Secure/); // plain HTTP here; set over HTTPS

    const missing = await idleApi.call('POST', '/v1/session', { body: {}, headers: { authorization: '' } });
    expect(missing.status).toBe(400);
  });

  it('When the cookie is sent without a token, then it works for reads and for JSON changes, with its roles', async () => {
    const cookie = await login(TEST_TOKENS.operator);
    const who = await idleApi.call('GET', '/v1/session', { headers: { authorization: '', cookie } });
    expect(who.body).toEqual({ identity: { name: 'operator', roles: ['operator'] }, credentials: 'cookie' });
    expect((await idleApi.call('GET', '/v1/operations', { headers: { authorization: '', cookie } })).status).toBe(200);
    const plan = await idleApi.call('POST', '/v1/plans', { body: { kind: 'evacuate', region: 'us-west-2' }, headers: { authorization: '', cookie, 'sec-fetch-site': 'same-origin' } });
    expect(plan.status, plan.text).toBe(200);
    expect(plan.body.plan.region).toBe('us-west-2');

    const viewer = await login(TEST_TOKENS.viewer);
    const refused = await idleApi.call('POST', '/v1/plans', { body: { kind: 'evacuate', region: 'us-west-2' }, headers: { authorization: '', cookie: viewer } });
    expect(refused.status).toBe(403);
  });

  it('When another site posts a form (or anything not JSON) with the cookie, then it is refused and nothing changes', async () => {
    const cookie = await login(TEST_TOKENS.admin);
    const id = await queuedOperation('us-east-1');
    const form = { authorization: '', cookie, 'content-type': 'application/x-www-form-urlencoded' };

    const submitted = await idleApi.call('POST', '/v1/operations', { raw: 'kind=evacuate&region=us-west-2', headers: { ...form, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(submitted.status).toBe(403);
    // A browser that does not send Sec-Fetch-Site: the form's content type alone is refused.
    const oldBrowser = await idleApi.call('POST', '/v1/operations', { raw: 'kind=evacuate&region=us-west-2', headers: form });
    expect(oldBrowser.status).toBe(415);
    expect(oldBrowser.body.error.code).toBe('LB_ERR_UNSUPPORTED_MEDIA_TYPE');
    // An empty form (no body at all) to an endpoint that needs none.
    const cancel = await idleApi.call('POST', `/v1/operations/${id}/cancel`, { raw: '', headers: form });
    expect(cancel.status).toBe(415);
    // JSON from another site on the same host (another port: "same-site") is refused too.
    const sameSite = await idleApi.call('POST', `/v1/operations/${id}/cancel`, { body: {}, headers: { authorization: '', cookie, 'sec-fetch-site': 'same-site' } });
    expect(sameSite.status).toBe(403);

    expect((await idleApi.call('GET', `/v1/operations/${id}`)).body.operation.state).toBe('queued');
    // A login must be JSON as well: no form elsewhere can log this browser in as someone else.
    const formLogin = await idleApi.call('POST', '/v1/session', { raw: `token=${TEST_TOKENS.admin}`, headers: { authorization: '', 'content-type': 'application/x-www-form-urlencoded' } });
    expect(formLogin.status).toBe(415);
    // Bearer clients are not affected by any of this.
    const bearer = await idleApi.call('POST', '/v1/plans', { body: { kind: 'evacuate', region: 'us-west-2' }, headers: { 'sec-fetch-site': 'cross-site' } });
    expect(bearer.status).toBe(200);
  });

  it('When the cookie holds no known token, or a bad Authorization header comes with a good cookie, then it is a 401', async () => {
    const stale = await idleApi.call('GET', '/v1/operations', { headers: { authorization: '', cookie: 'lifeboat_token=lbt_revoked-token-000000000' } });
    expect(stale.status).toBe(401);
    expect(stale.body.error.message).toMatch(/log in again/);
    const cookie = await login(TEST_TOKENS.admin);
    const header = await idleApi.call('GET', '/v1/operations', { headers: { authorization: 'Bearer lbt_wrong-token-0000000000', cookie } });
    expect(header.status).toBe(401);
  });

  it('When the session is deleted, then the cookie is cleared', async () => {
    const res = await idleApi.call('DELETE', '/v1/session', { headers: { authorization: '' } });
    expect(res.status).toBe(204);
    const cleared = sessionCookieOf(res)!;
    expect(cleared).toMatch(/^lifeboat_token=;/);
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
  });
});

describe('the dashboard files', () => {
  it('When / is loaded without a token, then the page, its script and its stylesheet come from this origin under a strict CSP', async () => {
    const page = await fetch(`${idleApi.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const html = await page.text();
    // No inline script or style: the CSP would refuse them.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/https?:\/\//);
    for (const [path, type] of [
      ['/dashboard/app.js', /javascript/],
      ['/dashboard/app.css', /text\/css/],
    ] as const) {
      const res = await fetch(idleApi.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(type);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
    expect((await fetch(`${idleApi.url}/dashboard/nothing-here.js`)).status).not.toBe(200);
  });
});
