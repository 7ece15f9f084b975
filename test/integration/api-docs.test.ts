import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app';
import { roleFor } from '../../src/api/auth';
import type { OpenApiDocument } from '../../src/api/openapi';
import { buildOpenApi, jsonSchemaOf } from '../../src/api/openapi';
import { ROUTES, errorCodesOf, openApiPath } from '../../src/api/route-catalog';
import { DryRunCloud } from '../../src/cloud/dry-run/dry-run-cloud';
import { ERROR_CATALOG } from '../../src/core/errors';
import { operationRequestSchema } from '../../src/operations/operation-types';
import { auditQuerySchema } from '../../src/api/routes/audit';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import { servedRoutes } from '../support/express-routes';
import { fleetReading } from '../support/fleet-fixture';
import type { TestLifeboat } from '../support/harness';
import { TEST_TOKENS, testLifeboat } from '../support/harness';

const viewer = { authorization: `Bearer ${TEST_TOKENS.viewer}` };
const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;
/** A concrete path for a route path: every :param filled with something that names nothing. */
const example = (path: string) => path.replace(/:id\b/g, 'op_nothing_here').replace(/:\w+/g, 'nothing-here');

let lb: TestLifeboat;
let api: TestApi;
let doc: OpenApiDocument;
beforeAll(async () => {
  lb = testLifeboat(new DryRunCloud(fleetReading([{ name: 'api', dns: 'api.example.com', regions: { 'us-east-1': { desired: 2, weight: 100 }, 'us-west-2': { desired: 2, weight: 100 } } }])));
  api = await startApi(lb);
  const res = await api.call('GET', '/openapi.json', { headers: viewer });
  expect(res.status).toBe(200);
  doc = res.body as OpenApiDocument;
});
afterAll(async () => {
  await api.close();
  await lb.close();
});

describe('the route catalog against the routes the app really serves', () => {
  it('documents every route the Express app serves, and serves every documented route', () => {
    const { routes, opaque } = servedRoutes(buildApp(lb.apiDeps()));
    // Routes hidden in a mounted sub-app would escape this check: there must be none.
    expect(opaque).toEqual([]);
    const served = new Set(routes.map((r) => key(r.method, r.path)));
    const documented = new Set(ROUTES.map((r) => key(r.method, r.path)));
    expect(served.size).toBeGreaterThan(20);
    expect([...served].filter((r) => !documented.has(r)), 'served but not in src/api/route-catalog.ts').toEqual([]);
    expect([...documented].filter((r) => !served.has(r)), 'in the catalog but not served').toEqual([]);
    expect(documented.size, 'a route is in the catalog twice').toBe(ROUTES.length);
  });

  it('puts every catalog route in /openapi.json', () => {
    const inDocument = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => key(m, path)));
    expect(inDocument.sort()).toEqual(ROUTES.map((r) => key(r.method, openApiPath(r.path))).sort());
  });

  it('answers each documented route with something other than a route miss, and an undocumented path with one', async () => {
    const routeMiss = (res: { status: number; body: { error?: { code?: string; message?: string } } }) => res.status === 404 && res.body?.error?.code === 'LB_ERR_NOT_FOUND' && /^no route /.test(res.body.error.message ?? '');
    for (const route of ROUTES) {
      const res = await api.call(route.method.toUpperCase(), example(route.path));
      expect(routeMiss(res), key(route.method, route.path)).toBe(false);
    }
    expect(routeMiss(await api.call('GET', '/v1/nothing-documented-here'))).toBe(true);
  });

  it('states the role roleFor() asks for, and needs no token where it says so', async () => {
    for (const route of ROUTES) {
      if ('role' in route.access) {
        expect(roleFor(route.method.toUpperCase(), example(route.path)), key(route.method, route.path)).toBe(route.access.role);
        const anonymous = await api.call(route.method.toUpperCase(), example(route.path), { headers: { authorization: '' } });
        expect(anonymous.status, key(route.method, route.path)).toBe(401);
      } else if ('public' in route.access) {
        const anonymous = await api.call(route.method.toUpperCase(), example(route.path), { headers: { authorization: '' } });
        expect(anonymous.status, key(route.method, route.path)).not.toBe(401);
      }
    }
  });
});

describe('/openapi.json', () => {
  it('is OpenAPI 3.1 with bearer security and the error schema of the error catalog', async () => {
    expect((await api.call('GET', '/openapi.json', { headers: { authorization: '' } })).status).toBe(401);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(doc.components.securitySchemes).toMatchObject({ bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie' } });
    const error = doc.components.schemas!.Error as { properties: { error: { properties: Record<string, { enum?: string[] }>; required: string[] } } };
    expect(Object.keys(error.properties.error.properties).sort()).toEqual(['code', 'details', 'hint', 'message']);
    expect([...error.properties.error.required].sort()).toEqual(['code', 'hint', 'message']);
    expect([...error.properties.error.properties.code!.enum!].sort()).toEqual(Object.keys(ERROR_CATALOG).sort());
  });

  it('takes request schemas from the zod schemas the routes validate with', () => {
    const submit = doc.paths['/v1/operations']!.post!;
    expect((submit.requestBody as { content: Record<string, { schema: unknown }> }).content['application/json']!.schema).toEqual(jsonSchemaOf(operationRequestSchema));
    const audit = doc.paths['/v1/audit']!.get!;
    expect(audit.parameters!.filter((p) => p.in === 'query').map((p) => p.name).sort()).toEqual(Object.keys(auditQuerySchema.shape).sort());
    const one = doc.paths['/v1/operations/{id}']!.get!;
    expect(one.parameters).toContainEqual(expect.objectContaining({ name: 'id', in: 'path', required: true, schema: expect.objectContaining({ pattern: expect.any(String) }) }));
  });

  it('says who may call each operation and what errors it answers, with their statuses', () => {
    const ids = new Set<string>();
    for (const route of ROUTES) {
      const op = doc.paths[openApiPath(route.path)]![route.method]!;
      expect(ids.has(op.operationId)).toBe(false);
      ids.add(op.operationId);
      if ('role' in route.access) {
        expect(op.security).toEqual([{ bearer: [] }, { session: [] }]);
        expect(op['x-required-role']).toBe(route.access.role);
        expect(op.responses['401']).toBeDefined();
      } else if ('public' in route.access) {
        expect(op.security).toEqual([]);
      }
      for (const code of errorCodesOf(route)) {
        const status = String(ERROR_CATALOG[code].status);
        expect(op.responses[status], `${key(route.method, route.path)} ${code}`).toBeDefined();
      }
      // Every path parameter is described.
      for (const name of [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1])) expect(op.parameters?.some((p) => p.in === 'path' && p.name === name)).toBe(true);
    }
    // Every $ref points somewhere.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]!);
    for (const ref of refs) expect(doc.components.schemas![ref], ref).toBeDefined();
  });

  it('is the same document the code builds', () => {
    expect(doc).toEqual(JSON.parse(JSON.stringify(buildOpenApi())));
  });
});

describe('/docs', () => {
  it('renders every route on a page with no script and nothing from elsewhere', async () => {
    expect((await api.call('GET', '/docs', { headers: { authorization: '' } })).status).toBe(401);
    const page = await api.call('GET', '/docs', { headers: viewer });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    for (const route of ROUTES) expect(page.text, route.path).toContain(`<code>${openApiPath(route.path)}</code>`);
    expect(page.text).not.toMatch(/<script/i);
    expect(page.text).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(page.text).toContain('LB_ERR_SHORTFALL');
    const css = await api.call('GET', '/docs/docs.css', { headers: viewer });
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });
});
