import { describe, expect, it } from 'vitest';
import { roleFor } from '../../src/api/auth';
import type { RouteDoc } from '../../src/api/route-catalog';
import { ROUTES, entriesServing, roleNeeded } from '../../src/api/route-catalog';
import type { Role } from '../../src/operations/tokens';

const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;
const entry = (routeKey: string): RouteDoc => {
  const found = ROUTES.find((r) => key(r.method, r.path) === routeKey);
  if (!found) throw new Error(`no catalog entry ${routeKey}`);
  return found;
};
/** A concrete path for a route path: every :param filled in. */
const example = (path: string) => path.replace(/:\w+/g, 'op_x_1');

/**
 * A few requests and the role each needs, written by hand. `route` names the catalog entry
 * that must say so; `board` marks a request under the queue board, whose entry says it for
 * its whole subtree.
 */
const EXPECTED: Array<{ method: string; path: string; role: Role; route?: string; board?: true }> = [
  { method: 'POST', path: '/v1/operations/op_x_1/approve', route: 'POST /v1/operations/:id/approve', role: 'approver' },
  { method: 'POST', path: '/v1/models/erlang-c/evaluate', route: 'POST /v1/models/:name/evaluate', role: 'viewer' },
  { method: 'POST', path: '/v1/operations/op_x_1/cancel', route: 'POST /v1/operations/:id/cancel', role: 'operator' },
  { method: 'POST', path: '/v1/operations', route: 'POST /v1/operations', role: 'operator' },
  { method: 'POST', path: '/v1/runbooks/game-day/runs', route: 'POST /v1/runbooks/:name/runs', role: 'operator' },
  { method: 'GET', path: '/v1/fleet', route: 'GET /v1/fleet', role: 'viewer' },
  { method: 'GET', path: '/v1/switches', route: 'GET /v1/switches', role: 'viewer' },
  { method: 'POST', path: '/v1/switches/prepare', route: 'POST /v1/switches/prepare', role: 'operator' },
  { method: 'GET', path: '/v1/operations/op_x_1/events', route: 'GET /v1/operations/:id/events', role: 'viewer' },
  { method: 'GET', path: '/admin/queues', route: 'GET /admin/queues', role: 'viewer' },
  { method: 'POST', path: '/admin/queues/api/queues/operations/retry/failed', board: true, role: 'admin' },
  { method: 'PUT', path: '/admin/queues/api/queues/maintenance/pause', board: true, role: 'admin' },
  { method: 'GET', path: '/admin/queues/api/queues', board: true, role: 'viewer' },
];

/** What the catalog itself declares for a row of EXPECTED. */
function declared(row: (typeof EXPECTED)[number]): Role | undefined {
  const route = row.board ? entry('GET /admin/queues') : entry(row.route!);
  if (row.board && row.method !== 'GET') return route.subtree?.changes;
  return 'role' in route.access ? route.access.role : undefined;
}

describe('the role a request needs comes from the route catalog', () => {
  it.each(EXPECTED.map((row) => [key(row.method, row.path), row] as const))('%s: the catalog declares it and authentication asks for it', (_name, row) => {
    expect(declared(row)).toBe(row.role);
    expect(roleFor(row.method, row.path)).toBe(row.role);
  });

  it('asks every catalog route for the role its entry names, however Express would route the path', () => {
    for (const route of ROUTES) {
      if (!('role' in route.access)) continue;
      const path = example(route.path);
      const methods = route.method === 'get' ? ['GET', 'HEAD'] : [route.method.toUpperCase()];
      for (const method of methods) {
        for (const variant of [path, path.toUpperCase(), `${path}/`, `${path}//`]) {
          expect(roleFor(method, variant), key(method, variant)).toBe(route.access.role);
        }
      }
    }
  });

  it('follows the table it is given: a changed role, a removed subtree or a new route changes the answer', () => {
    const approve = entry('POST /v1/operations/:id/approve');
    const board = entry('GET /admin/queues');
    const changed = ROUTES.map((r) => (r === approve ? { ...r, access: { role: 'admin' as const } } : r === board ? { ...r, subtree: undefined } : r));
    const added: RouteDoc[] = [...ROUTES, { method: 'delete', path: '/v1/runbooks/:name', tag: 'runbooks', summary: 'Remove a runbook', access: { role: 'admin' }, responses: { 204: { description: 'Removed' } } }];

    expect(roleNeeded('POST', '/v1/operations/op_x_1/approve', changed)).toBe('admin');
    expect(roleNeeded('PUT', '/admin/queues/api/queues/maintenance/pause', changed)).toBe('operator');
    expect(roleNeeded('DELETE', '/v1/runbooks/game-day', added)).toBe('admin');
    // The catalog the API serves is untouched.
    expect(roleFor('POST', '/v1/operations/op_x_1/approve')).toBe('approver');
    expect(roleFor('DELETE', '/v1/runbooks/game-day')).toBe('operator');
  });
});

describe('requests no catalog route serves keep the roles they needed before the catalog was asked', () => {
  it('needs viewer to read and operator to change a path no route knows, before the router answers 404', () => {
    for (const path of ['/v1/nothing-here', '/nothing-here', '/v1/operations/op_x_1/approve/x', '/v1/operations/op_x_1/%61pprove', '/admin/queuesx']) {
      expect(roleFor('GET', path), path).toBe('viewer');
      expect(roleFor('HEAD', path), path).toBe('viewer');
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) expect(roleFor(method, path), `${method} ${path}`).toBe('operator');
    }
  });

  it('answers HEAD as the GET route of the same path', () => {
    expect(entriesServing('HEAD', '/v1/operations/op_x_1')).toEqual([entry('GET /v1/operations/:id')]);
    expect(roleFor('HEAD', '/v1/operations/op_x_1')).toBe('viewer');
  });

  it('judges a method a known path does not serve by the changes that path takes', () => {
    for (const method of ['PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      expect(roleFor(method, '/v1/operations/op_x_1/approve'), method).toBe('approver');
      expect(roleFor(method, '/v1/models/erlang-c/evaluate'), method).toBe('viewer');
      expect(roleFor(method, '/v1/operations/op_x_1'), method).toBe('operator');
    }
    // Reading a path that only takes changes is still a read.
    expect(roleFor('GET', '/v1/operations/op_x_1/approve')).toBe('viewer');
  });

  it('judges a path with doubled slashes as the route it resembles', () => {
    expect(roleFor('POST', '/v1//operations/op_x_1/approve')).toBe('approver');
    expect(roleFor('PUT', '/admin//queues/api/queues/maintenance/pause')).toBe('admin');
  });

  it('needs admin for every change at or under the queue board, whatever the case, and viewer to look', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      for (const path of ['/admin/queues', '/admin/queues/', '/ADMIN/Queues/api/queues/maintenance/pause']) expect(roleFor(method, path), `${method} ${path}`).toBe('admin');
    }
    expect(roleFor('HEAD', '/admin/queues/static/js/main.js')).toBe('viewer');
    expect(roleFor('GET', '/Admin/Queues/api/queues')).toBe('viewer');
  });

  it('judges a no-token route that reached authentication (they are answered before it) as a path no route knows', () => {
    expect(roleFor('POST', '/v1/session')).toBe('operator');
    expect(roleFor('DELETE', '/v1/session')).toBe('operator');
    expect(roleFor('POST', '/v1/runbooks/game-day/trigger')).toBe('operator');
    expect(roleFor('GET', '/')).toBe('viewer');
  });
});

describe('the catalog gives every request one answer', () => {
  it('serves each entry’s own request by that entry alone', () => {
    for (const route of ROUTES) {
      expect(entriesServing(route.method, example(route.path)), key(route.method, route.path)).toEqual([route]);
    }
  });

  it('has the changes of one path agree on the role they need', () => {
    const byPath = new Map<string, Set<Role>>();
    for (const route of ROUTES) {
      if (route.method === 'get' || !('role' in route.access)) continue;
      const path = route.path.toLowerCase();
      byPath.set(path, (byPath.get(path) ?? new Set()).add(route.access.role));
    }
    for (const [path, roles] of byPath) expect([...roles], path).toHaveLength(1);
  });

  it('puts a subtree only on a GET route that needs a role', () => {
    for (const route of ROUTES.filter((r) => r.subtree)) {
      expect(route.method, route.path).toBe('get');
      expect('role' in route.access, route.path).toBe(true);
    }
  });
});
