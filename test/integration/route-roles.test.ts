import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app';
import type { RouteDoc } from '../../src/api/route-catalog';
import { ROUTES, entriesServing } from '../../src/api/route-catalog';
import { DryRunCloud } from '../../src/cloud/dry-run/dry-run-cloud';
import type { Role } from '../../src/operations/tokens';
import { ROLES } from '../../src/operations/tokens';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import { servedRoutes } from '../support/express-routes';
import { fleetReading } from '../support/fleet-fixture';
import type { TestLifeboat } from '../support/harness';
import { TEST_TOKENS, testLifeboat } from '../support/harness';

const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;
/** A concrete path for a route path: every :param filled with something that names nothing. */
const example = (path: string) => path.replace(/:id\b/g, 'op_nothing_here').replace(/:\w+/g, 'nothing-here');

/** Who has the role a route needs, and who does not (every token may read). */
const LACKING: Record<Exclude<Role, 'viewer'>, keyof typeof TEST_TOKENS> = { operator: 'viewer', approver: 'operator', admin: 'approver2' };

/** Whether an access is one the API knows how to enforce: a role, or a stated reason to need no token, or a signature. */
function explicitAccess(route: RouteDoc): boolean {
  const access = route.access;
  if ('role' in access) return ROLES.includes(access.role);
  if ('public' in access) return access.public.trim().length > 0;
  return access.hmac;
}

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

describe('the route catalog is the one table of who may call what', () => {
  it('has exactly one entry, with a role or an explicit access without a token, for every route Express mounts', () => {
    const { routes, opaque } = servedRoutes(buildApp(lb.apiDeps()));
    expect(opaque).toEqual([]);
    expect(routes.length).toBeGreaterThan(20);
    for (const served of routes) {
      const name = key(served.method, served.path);
      const entries = ROUTES.filter((r) => r.method === served.method && r.path === served.path);
      expect(entries, name).toHaveLength(1);
      expect(explicitAccess(entries[0]!), name).toBe(true);
      // And a request to it is matched to that entry alone (HEAD is answered by the GET route).
      expect(entriesServing(served.method, example(served.path)), name).toEqual(entries);
      if (served.method === 'get') expect(entriesServing('HEAD', example(served.path)), name).toEqual(entries);
    }
  });

  it('refuses each route to a token without the role its entry names, and says which role that is', async () => {
    const guarded = ROUTES.filter((r): r is RouteDoc & { access: { role: Exclude<Role, 'viewer'> } } => 'role' in r.access && r.access.role !== 'viewer');
    expect(guarded.length).toBeGreaterThan(3);
    for (const route of guarded) {
      const who = LACKING[route.access.role];
      const res = await api.call(route.method.toUpperCase(), example(route.path), { ...(route.method !== 'get' ? { body: {} } : {}), headers: { authorization: `Bearer ${TEST_TOKENS[who]}` } });
      expect(res.status, key(route.method, route.path)).toBe(403);
      expect(res.body.error, key(route.method, route.path)).toMatchObject({ code: 'LB_ERR_FORBIDDEN', details: { needed: route.access.role } });
    }
  });

  it('refuses a change on the queue board to anyone but admin, naming the role its entry’s subtree needs', async () => {
    const board = ROUTES.find((r) => r.subtree)!;
    const res = await api.call('POST', `${board.path}/api/queues/operations/retry/failed`, { headers: { authorization: `Bearer ${TEST_TOKENS.approver2}` } });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'LB_ERR_FORBIDDEN', details: { needed: board.subtree!.changes } });
  });
});
