import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DryRunCloud } from '../../src/cloud/dry-run/dry-run-cloud';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import { fleetReading } from '../support/fleet-fixture';
import type { TestLifeboat } from '../support/harness';
import { TEST_TOKENS, testLifeboat } from '../support/harness';

const as = (who: keyof typeof TEST_TOKENS) => ({ authorization: `Bearer ${TEST_TOKENS[who]}` });

let lb: TestLifeboat;
let api: TestApi;
beforeAll(async () => {
  lb = testLifeboat(new DryRunCloud(fleetReading([{ name: 'api', dns: 'api.example.com', regions: { 'us-east-1': { desired: 2, weight: 100 }, 'us-west-2': { desired: 2, weight: 100 } } }])));
  api = await startApi(lb);
});
afterAll(async () => {
  await api.close();
  await lb.close();
});

describe('the queue board at /admin/queues', () => {
  it('shows the board to a viewer, with its own files and a CSP relaxed for its styles only', async () => {
    expect((await api.call('GET', '/admin/queues', { headers: { authorization: '' } })).status).toBe(401);
    const page = await api.call('GET', '/admin/queues', { headers: as('viewer') });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('<base href="/admin/queues/"');
    expect(page.headers.get('x-powered-by')).toBeNull();
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/googleapis|https:/);

    // Every script and stylesheet the page names comes from the board itself.
    const assets = [...page.text.matchAll(/(?:src|href)="(static\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    for (const asset of assets) {
      const res = await api.call('GET', `/admin/queues/${asset}`, { headers: as('viewer') });
      expect(res.status, asset).toBe(200);
    }

    // The rest of the API keeps its strict policy.
    const fleet = await api.call('GET', '/v1/fleet', { headers: as('viewer') });
    expect(fleet.headers.get('content-security-policy')).toContain("style-src 'self';");
  });

  it('lists the operations, runbooks and maintenance queues: read-only for viewers, not for admin', async () => {
    const viewer = await api.call('GET', '/admin/queues/api/queues', { headers: as('viewer') });
    expect(viewer.status).toBe(200);
    const names = (viewer.body.queues as Array<{ name: string; readOnlyMode: boolean }>).map((q) => q.name).sort();
    expect(names).toEqual(['maintenance', 'operations', 'runbooks']);
    expect((viewer.body.queues as Array<{ readOnlyMode: boolean }>).every((q) => q.readOnlyMode)).toBe(true);
    const admin = await api.call('GET', '/admin/queues/api/queues', { headers: as('admin') });
    expect((admin.body.queues as Array<{ readOnlyMode: boolean }>).every((q) => !q.readOnlyMode)).toBe(true);
  });

  it('lets only admin act', async () => {
    for (const who of ['viewer', 'operator', 'approver'] as const) {
      const res = await api.call('PUT', '/admin/queues/api/queues/maintenance/pause', { headers: as(who) });
      expect(res.status, who).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'LB_ERR_FORBIDDEN', details: { needed: 'admin' } });
    }
    expect((await api.call('POST', '/admin/queues/api/queues/operations/add', { headers: as('viewer'), body: { name: 'x', data: {} } })).status).toBe(403);
    // Express matches paths without regard to case: so does the role check.
    expect((await api.call('PUT', '/ADMIN/Queues/api/queues/maintenance/pause', { headers: as('operator') })).status).toBe(403);
    const maintenance = lb.queues.all().find((q) => q.name === 'maintenance')!;
    expect(await maintenance.isPaused()).toBe(false);

    const paused = await api.call('PUT', '/admin/queues/api/queues/maintenance/pause', { headers: as('admin') });
    expect(paused.status).not.toBe(403);
    expect(paused.status).toBeLessThan(300);
    expect(await maintenance.isPaused()).toBe(true);
    expect((await api.call('PUT', '/admin/queues/api/queues/maintenance/resume', { headers: as('admin') })).status).toBeLessThan(300);
    expect(await maintenance.isPaused()).toBe(false);
  });

  it('answers an unknown board path like any other unknown path', async () => {
    const res = await api.call('GET', '/admin/queues/api/nothing-here', { headers: as('viewer') });
    expect(res.status).toBe(404);
  });

  it('lets an admin act from the board’s own pages with the session cookie, but not from elsewhere', async () => {
    const login = await api.call('POST', '/v1/session', { body: { token: TEST_TOKENS.admin }, headers: { authorization: '' } });
    const adminCookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const viewerLogin = await api.call('POST', '/v1/session', { body: { token: TEST_TOKENS.viewer }, headers: { authorization: '' } });
    const viewerCookie = viewerLogin.headers.get('set-cookie')!.split(';')[0]!;
    const pause = (cookie: string, site?: string) =>
      api.call('PUT', '/admin/queues/api/queues/maintenance/pause', { headers: { authorization: '', cookie, ...(site ? { 'sec-fetch-site': site } : {}) } });
    expect((await pause(adminCookie, 'same-origin')).status).not.toBe(403);
    expect((await pause(viewerCookie, 'same-origin')).status).toBe(403);
    expect((await pause(adminCookie, 'cross-site')).status).toBe(403);
    // Without the browser's word for where it comes from, a cookie change must still be JSON.
    expect((await pause(adminCookie)).status).toBe(415);
    await api.call('PUT', '/admin/queues/api/queues/maintenance/resume', { headers: { authorization: `Bearer ${TEST_TOKENS.admin}` } });
  });
});
