import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app';
import { DryRunCloud } from '../../src/cloud/dry-run/dry-run-cloud';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import { apiInThreeRegions, fleetReading } from '../support/fleet-fixture';
import type { TestLifeboat } from '../support/harness';
import { TEST_TOKENS, testLifeboat } from '../support/harness';
import { ManualClock } from '../support/manual-clock';

/**
 * Server-side browser sessions (issue 17, item 6): the dashboard's cookie holds a random
 * session id, never the token; a session expires, ends when its browser logs out (a copied
 * cookie then stops working) and when its token is no longer configured.
 */

const TTL_SECONDS = 3600;
const clock = new ManualClock(Date.now());
let lb: TestLifeboat;
let api: TestApi;
beforeAll(async () => {
  lb = testLifeboat(new DryRunCloud(fleetReading(apiInThreeRegions())), { LIFEBOAT_SESSION_TTL: String(TTL_SECONDS) }, clock);
  api = await startApi(lb);
});
afterAll(async () => {
  await api.close();
  await lb.close();
});

async function login(token: string): Promise<{ cookie: string; setCookie: string }> {
  const res = await api.call('POST', '/v1/session', { body: { token }, headers: { authorization: '' } });
  expect(res.status, res.text).toBe(200);
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('lifeboat_token='))!;
  return { cookie: setCookie.split(';')[0]!, setCookie };
}

const readWith = (cookie: string, url = api.url) => fetch(`${url}/v1/operations?limit=1`, { headers: { cookie } }).then((r) => r.status);

describe('browser sessions', () => {
  it('hold a random session id in the cookie, never the token, kept in Redis under the prefix for the session TTL', async () => {
    const { cookie, setCookie } = await login(TEST_TOKENS.viewer);
    const id = cookie.split('=')[1]!;
    expect(decodeURIComponent(setCookie)).not.toContain(TEST_TOKENS.viewer);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(setCookie).toMatch(new RegExp(`Max-Age=${TTL_SECONDS};`));
    const key = `${lb.deps.settings.LIFEBOAT_REDIS_PREFIX}:session:${createHash('sha256').update(id).digest('hex')}`;
    const ttl = await lb.redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(TTL_SECONDS * 1000);
    expect(await lb.redis.get(key)).not.toContain(id);
    // Two logins are two sessions.
    expect((await login(TEST_TOKENS.viewer)).cookie).not.toBe(cookie);
    expect(await readWith(cookie)).toBe(200);
  });

  it('end when the browser logs out: a copy of the cookie no longer works', async () => {
    const { cookie } = await login(TEST_TOKENS.operator);
    const stolen = cookie;
    expect(await readWith(stolen)).toBe(200);
    const out = await api.call('DELETE', '/v1/session', { headers: { authorization: '', cookie } });
    expect(out.status).toBe(204);
    const refused = await api.call('GET', '/v1/operations', { headers: { authorization: '', cookie: stolen } });
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/log in again/);
    const ended = (await lb.deps.audit.query({ action: 'session.end', limit: 10 }))[0];
    expect(ended).toMatchObject({ actor: 'api:operator', outcome: 'succeeded' });
  });

  it('expire after LIFEBOAT_SESSION_TTL on lifeboat’s clock', async () => {
    const { cookie } = await login(TEST_TOKENS.viewer);
    await clock.advance((TTL_SECONDS - 1) * 1000);
    expect(await readWith(cookie)).toBe(200);
    await clock.advance(2000);
    expect(await readWith(cookie)).toBe(401);
  });

  it('end when their token is no longer configured, and take the token’s roles as they are now', async () => {
    const { cookie } = await login(TEST_TOKENS.approver2);
    const deps = lb.apiDeps();
    const without = buildApp({ ...deps, auth: { ...deps.auth, tokens: deps.auth.tokens.filter((t) => t.name !== 'approver2') } });
    const demoted = buildApp({ ...deps, auth: { ...deps.auth, tokens: deps.auth.tokens.map((t) => (t.name === 'approver2' ? { ...t, roles: ['viewer' as const] } : t)) } });
    const servers: Server[] = [without.listen(0, '127.0.0.1'), demoted.listen(0, '127.0.0.1')];
    await Promise.all(servers.map((s) => new Promise((r) => s.once('listening', r))));
    try {
      const [withoutUrl, demotedUrl] = servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`);
      expect(await readWith(cookie, withoutUrl)).toBe(401);
      const change = await fetch(`${demotedUrl}/v1/plans`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' }, body: JSON.stringify({ kind: 'evacuate', region: 'us-east-1' }) });
      expect(change.status).toBe(403);
      expect(await readWith(cookie)).toBe(200);
    } finally {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    }
  });
});
