import { z } from 'zod';
import { packageVersion } from '../operations/package-root';
import type { ErrorCode } from '../core/errors';
import { ERROR_CATALOG } from '../core/errors';
import { SESSION_COOKIE } from './credentials';
import type { RouteDoc } from './route-catalog';
import { ROUTES, errorCodesOf, openApiPath, pathParams } from './route-catalog';

/**
 * The OpenAPI 3.1 document of the API, built from the route catalog: request bodies, query,
 * path and header parameters are the JSON Schema of the very zod schemas the routes
 * validate with (z.toJSONSchema, input side), so the document cannot drift from what the
 * API accepts; response bodies are the JSON Schema of the response schemas the CLI parses
 * with (operations/api-responses.ts, output side), checked against real answers by
 * test/integration/openapi-responses.test.ts. Errors are the error catalog's, with their statuses.
 */

export type OpenApiDocument = {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string }>;
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: Record<string, Record<string, unknown>>;
};

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: Array<Record<string, string[]>>;
  'x-required-role'?: string;
  parameters?: Array<Record<string, unknown>>;
  requestBody?: Record<string, unknown>;
  responses: Record<string, Record<string, unknown>>;
}

const TAGS: Record<string, string> = {
  health: 'Liveness and readiness',
  operations: 'Plans and operations: evacuate, shift, restore, scale, reconcile, prepare- and release-dark-capacity',
  fleet: 'The fleet and N+1 readiness',
  switches: 'Region switches: a lever that needs no Route 53 change API',
  models: 'Capacity models',
  runbooks: 'Runbooks and their runs',
  audit: 'The audit trail',
  browser: 'The dashboard and its session',
  observability: 'Metrics, the queue board and these docs',
};

const errorBodySchema = z
  .object({
    error: z
      .object({
        code: z.enum(Object.keys(ERROR_CATALOG) as [ErrorCode, ...ErrorCode[]]),
        message: z.string(),
        hint: z.string(),
        details: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
  })
  .strict();

/**
 * JSON Schema (2020-12, as OpenAPI 3.1 uses) of a zod schema: what it accepts (input, for
 * requests) or what it describes (output, for responses: an object lists its fields, and
 * only a looseObject allows more).
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return rest;
}

function operationIdOf(route: RouteDoc): string {
  const words = route.path
    .split('/')
    .filter(Boolean)
    .map((p) => (p.startsWith(':') ? `by-${p.slice(1)}` : p))
    .join('-');
  return `${route.method}-${words || 'root'}`.replace(/[^A-Za-z0-9]+/g, '_');
}

function parametersOf(route: RouteDoc): Array<Record<string, unknown>> {
  const parameters: Array<Record<string, unknown>> = [];
  for (const name of pathParams(route.path)) {
    parameters.push({ name, in: 'path', required: true, schema: jsonSchemaOf(route.params?.[name] ?? z.string()) });
  }
  if (route.query) {
    for (const [name, field] of Object.entries(route.query.shape as Record<string, z.ZodType>)) {
      const note = route.queryNotes?.[name];
      parameters.push({ name, in: 'query', required: !field.safeParse(undefined).success, schema: jsonSchemaOf(field), ...(note ? { description: note } : {}) });
    }
  }
  for (const h of route.headers ?? []) parameters.push({ name: h.name, in: 'header', required: false, description: h.description, schema: jsonSchemaOf(h.schema) });
  return parameters;
}

function errorResponses(route: RouteDoc): Record<string, Record<string, unknown>> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(route)) {
    const status = ERROR_CATALOG[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, Record<string, unknown>> = {};
  for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    if (route.responses[status]) continue;
    responses[String(status)] = {
      description: codes.map((c) => `${c}: ${ERROR_CATALOG[c].title}`).join('; '),
      'x-error-codes': codes,
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          example: { error: { code: codes[0], message: ERROR_CATALOG[codes[0]!].title, hint: ERROR_CATALOG[codes[0]!].hint } },
        },
      },
    };
  }
  return responses;
}

function securityOf(route: RouteDoc): { security: Array<Record<string, string[]>>; role?: string } {
  if ('role' in route.access) return { security: [{ bearer: [] }, { session: [] }], role: route.access.role };
  if ('hmac' in route.access) return { security: [{ triggerSignature: [] }] };
  return { security: [] };
}

function accessNoteOf(route: RouteDoc): string {
  if ('public' in route.access) return `No token: ${route.access.public}.`;
  if ('hmac' in route.access) return 'Signed with the trigger secret (HMAC), no token.';
  const changes = route.subtree ? ` Any change at or under ${route.path} (PUT, POST, PATCH, DELETE) needs the ${route.subtree.changes} role.` : '';
  return `Needs the ${route.access.role} role.${changes}`;
}

export function buildOpenApi(): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of ROUTES) {
    const { security, role } = securityOf(route);
    const parameters = parametersOf(route);
    const success: Record<string, Record<string, unknown>> = {};
    for (const [status, r] of Object.entries(route.responses)) {
      const schema = r.body ? jsonSchemaOf(r.body, 'output') : r.schema;
      success[status] = { description: r.description, ...(schema ? { content: { [r.contentType ?? 'application/json']: { schema } } } : {}) };
    }
    const accessNote = accessNoteOf(route);
    const operation: OpenApiOperation = {
      operationId: operationIdOf(route),
      summary: route.summary,
      description: [route.description, accessNote].filter(Boolean).join('\n\n'),
      tags: [route.tag],
      security,
      ...(role ? { 'x-required-role': role } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: false, content: { 'application/json': { schema: jsonSchemaOf(route.body) } } } } : {}),
      responses: { ...success, ...errorResponses(route) },
    };
    const path = openApiPath(route.path);
    paths[path] = { ...(paths[path] ?? {}), [route.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'lifeboat',
      version: packageVersion() ?? '0.0.0',
      description:
        'Regional failover and capacity control plane. Every endpoint but /healthz, the dashboard page, logging in and signed triggers needs a bearer token (Authorization: Bearer <token>) or the dashboard’s session cookie; reads need the viewer role, changes operator, approvals approver; admin may do all. Errors are {"error":{"code","message","hint","details"}} with the status of the code (components.schemas.Error; every code is in docs/api.md and /docs).',
    },
    servers: [{ url: '/' }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token (npm run token); configured as a SHA-256 hash with roles' },
        session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The dashboard’s session (POST /v1/session); a change made with it must send Content-Type: application/json' },
        triggerSignature: { type: 'apiKey', in: 'header', name: 'X-Lifeboat-Signature', description: 'sha256=<hex HMAC-SHA256 keyed with LIFEBOAT_TRIGGER_SECRET>, with X-Lifeboat-Timestamp' },
      },
      schemas: {
        Error: jsonSchemaOf(errorBodySchema),
        ErrorBody: jsonSchemaOf(errorBodySchema.shape.error),
        ErrorCode: { type: 'string', enum: Object.keys(ERROR_CATALOG) },
      },
      'x-error-catalog': Object.fromEntries(Object.entries(ERROR_CATALOG).map(([code, spec]) => [code, { status: spec.status, title: spec.title, hint: spec.hint }])),
    },
  };
}
