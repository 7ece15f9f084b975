import type { RequestListener, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DryRunCloud } from '../../src/cloud/dry-run/dry-run-cloud';
import { parseOutboundHosts } from '../../src/operations/outbound/outbound-policy';
import { postJson } from '../../src/operations/outbound/post-json';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import { apiInThreeRegions, fleetReading } from '../support/fleet-fixture';
import type { TestLifeboat } from '../support/harness';
import { TEST_TOKENS, testLifeboat } from '../support/harness';

/**
 * SSRF (issue 17, item 1): what notify and the verify hook may reach. An "internal service"
 * listens on loopback (IPv4 and IPv6) and records every request that reaches it; lifeboat is
 * asked to call it through every spelling of loopback, and through a redirect.
 */

interface Internal {
  port: number;
  reached: string[];
  close(): Promise<void>;
}

async function listen(handler: RequestListener, host: string): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function internalService(status: number): Promise<Internal> {
  const reached: string[] = [];
  const { server, port } = await listen((req, res) => {
    reached.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(status, { 'content-type': 'application/json' }).end('{"ok":true}');
  }, '::');
  return { port, reached, close: () => new Promise((r) => server.close(() => r())) };
}

async function closedPort(): Promise<number> {
  const { server, port } = await listen(() => undefined, '127.0.0.1');
  await new Promise((r) => server.close(r));
  return port;
}

let internal: Internal;
let redirector: { server: Server; port: number };
beforeAll(async () => {
  internal = await internalService(500);
  redirector = await listen((req, res) => {
    req.resume();
    res.writeHead(302, { location: `http://127.0.0.1:${internal.port}/redirected` }).end();
  }, '127.0.0.1');
});
afterAll(async () => {
  await internal.close();
  await new Promise((r) => redirector.server.close(r));
});

const post = (url: string, hosts?: string) => postJson(new URL(url), { hello: 'world' }, { policy: parseOutboundHosts(hosts), timeoutMs: 2000, purpose: 'test' });

describe('postJson, the one way lifeboat calls out', () => {
  it('refuses loopback however it is spelled, and a name that resolves to it, without connecting', async () => {
    const p = internal.port;
    for (const url of [`http://127.0.0.1:${p}/a`, `http://0x7f000001:${p}/b`, `http://2130706433:${p}/c`, `http://127.1:${p}/d`, `http://[::1]:${p}/e`, `http://[::ffff:127.0.0.1]:${p}/f`, `http://localhost:${p}/g`]) {
      expect(await post(url), url).toMatchObject({ verdict: 'refused' });
    }
    // Listing the name is not enough: localhost resolves to a loopback address, which only an address entry opens.
    expect(await post(`http://localhost:${p}/i`, 'localhost')).toMatchObject({ verdict: 'refused', reason: expect.stringContaining('localhost (127.0.0.1) is a loopback address') });
    expect(await post('http://169.254.169.254/latest/meta-data/')).toMatchObject({ verdict: 'refused', reason: expect.stringContaining('link-local') });
    expect(internal.reached).toEqual([]);
  });

  it('reaches a listed address, and answers a redirect with its status instead of following it', async () => {
    expect(await post(`http://127.0.0.1:${internal.port}/listed`, '127.0.0.1')).toMatchObject({ verdict: 'allowed', status: 500 });
    expect(await post(`http://localhost:${internal.port}/by-name`, 'localhost, 127.0.0.1')).toMatchObject({ verdict: 'allowed', status: 500 });
    expect(await post(`http://127.0.0.1:${redirector.port}/moved`, '127.0.0.1')).toMatchObject({ verdict: 'allowed', status: 302 });
    expect(internal.reached).toEqual(['POST /listed', 'POST /by-name']);
    internal.reached.length = 0;
  });

  it('refuses a port the entry does not name, and credentials in the URL', async () => {
    expect(await post(`http://127.0.0.1:${internal.port}/x`, '127.0.0.1:1')).toMatchObject({ verdict: 'refused' });
    expect(await post(`http://user:pass@127.0.0.1:${internal.port}/x`, '127.0.0.1')).toMatchObject({ verdict: 'refused', reason: 'the URL carries credentials' });
    expect(internal.reached).toEqual([]);
  });
});

describe('notify and the verify hook, as viewers see them', () => {
  let lb: TestLifeboat;
  let api: TestApi;
  beforeAll(async () => {
    lb = testLifeboat(new DryRunCloud(fleetReading(apiInThreeRegions())), { LIFEBOAT_RUNBOOK_POLL_MS: '50', LIFEBOAT_VERIFY_HOOK_URL: `http://127.0.0.1:${internal.port}/verify`, LIFEBOAT_VERIFY_HOOK_TIMEOUT_MS: '2000' });
    lb.startWorker();
    api = await startApi(lb);
  });
  afterAll(async () => {
    await api.close();
    await lb.close();
  });

  async function reportStep(webhook: string) {
    const started = await api.call('POST', '/v1/runbooks/readiness-report/runs', { body: { params: { webhook, failWhenNotReady: false } }, headers: { authorization: `Bearer ${TEST_TOKENS.operator}` } });
    expect(started.status, started.text).toBe(202);
    await lb.waitFor(started.body.operation.id);
    const seen = await api.call('GET', `/v1/operations/${started.body.operation.id}`, { headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } });
    return seen.body.operation.steps.find((s: { id: string }) => s.id === 'report') as { state: string; outcome: string; error: { code: string; message: string; details: Record<string, unknown> } };
  }

  it('refuses a notify to loopback, link-local or a redirect to them; the viewer sees "refused" and nothing more', async () => {
    const p = internal.port;
    for (const url of [`http://127.0.0.1:${p}/a`, `http://0x7f000001:${p}/b`, `http://2130706433:${p}/c`, `http://[::1]:${p}/d`, `http://[::ffff:127.0.0.1]:${p}/e`, `http://localhost:${p}/f`, 'http://169.254.169.254/latest/meta-data/', `http://127.0.0.1:${redirector.port}/r`]) {
      const step = await reportStep(url);
      expect(step.state, url).toBe('failed');
      expect(step.error.code, url).toBe('LB_ERR_OUTBOUND_REFUSED');
      expect(step.outcome, url).toMatch(/^webhook \S+: refused \(not allowed by LIFEBOAT_OUTBOUND_HOSTS\)$/);
    }
    expect(internal.reached).toEqual([]);
  });

  it('fails the stage when the verify hook is refused, and the hook hears nothing', async () => {
    const submitted = await api.call('POST', '/v1/operations', { body: { kind: 'evacuate', pace: 'stages', region: 'eu-west-1', stages: 1 }, headers: { authorization: `Bearer ${TEST_TOKENS.operator}` } });
    expect(submitted.status, submitted.text).toBe(202);
    const done = await lb.waitFor(submitted.body.operation.id);
    expect(done.state).toBe('failed');
    expect(done.error).toMatchObject({ code: 'LB_ERR_VERIFICATION_FAILED', message: expect.stringContaining('the verify hook was refused (not allowed by LIFEBOAT_OUTBOUND_HOSTS)') });
    expect(internal.reached).toEqual([]);
  });
});

describe('a notify to an allowed host that does not answer', () => {
  it('tells a viewer "allowed, no answer", never why the connection failed', async () => {
    const lb = testLifeboat(new DryRunCloud(fleetReading(apiInThreeRegions())), { LIFEBOAT_RUNBOOK_POLL_MS: '50', LIFEBOAT_OUTBOUND_HOSTS: '127.0.0.1' });
    lb.startWorker();
    const api = await startApi(lb);
    try {
      const closed = await closedPort();
      const statuses: string[] = [];
      for (const url of [`http://127.0.0.1:${closed}/closed`, `http://127.0.0.1:${internal.port}/open`]) {
        const started = await api.call('POST', '/v1/runbooks/readiness-report/runs', { body: { params: { webhook: url, failWhenNotReady: false } } });
        await lb.waitFor(started.body.operation.id);
        const seen = await api.call('GET', `/v1/operations/${started.body.operation.id}`, { headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } });
        statuses.push(seen.body.operation.steps.find((s: { id: string }) => s.id === 'report').outcome);
        expect(seen.text).not.toMatch(/ECONNREFUSED|fetch failed|socket/i);
      }
      expect(statuses).toEqual([`webhook 127.0.0.1:${closed}: allowed, no answer`, `webhook 127.0.0.1:${internal.port}: allowed, answered 500`]);
      expect(internal.reached).toEqual(['POST /open']);
      internal.reached.length = 0;
    } finally {
      await api.close();
      await lb.close();
    }
  });
});
