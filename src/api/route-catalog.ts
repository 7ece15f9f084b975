import { z } from 'zod';
import type { ErrorCode } from '../core/errors';
import { intentSchema } from '../core/intents';
import {
  auditSchema,
  evaluationSchema,
  fleetSchema,
  healthzSchema,
  jsonObjectSchema,
  modelListSchema,
  modelOneSchema,
  notReadySchema,
  operationAnswerSchema,
  operationListSchema,
  operationOneSchema,
  operationSubmitReplySchema,
  planReplySchema,
  readinessSchema,
  readyzSchema,
  runbookListSchema,
  runbookOneSchema,
  sessionSchema,
  statusSchema,
  switchesSchema,
} from '../operations/api-responses';
import { OPERATION_STATES, operationRequestSchema } from '../operations/operation-types';
import type { Role } from '../operations/tokens';
import { TRIGGER_ID_PATTERN } from '../operations/trigger-signature';
import { idempotencyKeySchema } from './actor';
import { QUEUE_BOARD_PATH } from './request-kind';
import { auditQuerySchema } from './routes/audit';
import { evaluateBodySchema } from './routes/models';
import { eventIdSchema, eventsQuerySchema } from './routes/operation-events';
import { approveBodySchema, cancelBodySchema, listQuerySchema, operationIdSchema } from './routes/operations';
import { readinessQuerySchema } from './routes/readiness';
import { runBodySchema } from './routes/runbooks';
import { sessionBodySchema } from './routes/session';
import { prepareSwitchesBodySchema } from './routes/switches';

/**
 * Every route the API serves, in one list: method, path, what it is for, the role it needs,
 * the zod schemas that validate its input (the same objects the routes parse with) and what
 * it answers. Authentication asks it which role a request needs (roleNeeded, at the end),
 * the OpenAPI document (/openapi.json) and the docs page (/docs) are built from it, and
 * test/integration/api-docs.test.ts checks it against the routes the Express app really
 * has: a route added without an entry here fails that test.
 */

type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call: a bearer token (or the dashboard's session cookie) with a role, nobody in particular, or a signed webhook. */
type Access = { role: Role } | { public: string } | { hmac: true };

interface ResponseDoc {
  description: string;
  /** application/json unless said otherwise. */
  contentType?: string;
  /** The zod schema of a JSON body (src/operations/api-responses.ts): the document publishes its JSON Schema and the CLI parses with it. */
  body?: z.ZodType;
  /** JSON Schema of a body that is not JSON (text, HTML, an event stream). */
  schema?: Record<string, unknown>;
}

interface HeaderDoc {
  name: string;
  description: string;
  schema: z.ZodType;
}

export interface RouteDoc {
  method: HttpMethod;
  /** Express syntax: /v1/operations/:id. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  /**
   * Set when one mounted app serves this path and everything under it (the queue board: its
   * pages, files and its own JSON API). Reads anywhere there need `access`'s role; any other
   * method, at the path or under it, needs this one.
   */
  subtree?: { changes: Role };
  /** Schemas of the path parameters, by name (strings otherwise). */
  params?: Record<string, z.ZodType>;
  query?: z.ZodObject;
  /** Descriptions of query parameters the schema cannot say (comma lists, ...). */
  queryNotes?: Record<string, string>;
  headers?: HeaderDoc[];
  body?: z.ZodType;
  /** Success answers by status. */
  responses: Record<number, ResponseDoc>;
  /** Errors this route reports beyond those every route of its kind can (see errorCodesOf). */
  errors?: ErrorCode[];
}

const json = (description: string, body: z.ZodType): ResponseDoc => ({ description, body });
const operationAnswer = (description: string) => json(description, operationAnswerSchema);

const runbookName = z.string().min(1).max(200);
const modelName = z.string().min(1).max(100);

/** What every error body looks like: the error catalog's code, the message, what to do, and details. */
export const ROUTES: readonly RouteDoc[] = [
  // --- health
  {
    method: 'get',
    path: '/healthz',
    tag: 'health',
    summary: 'Liveness: the process answers',
    access: { public: 'no token: for load balancers and orchestrators' },
    responses: { 200: json('Alive', healthzSchema) },
  },
  {
    method: 'get',
    path: '/readyz',
    tag: 'health',
    summary: 'Readiness: this process can serve (Redis answers it; its own workers run, when it runs some)',
    description: 'Never fails because an AWS region or endpoint is down: that is what lifeboat is for (GET /v1/status reports it). A process that is stopping answers 503 while it hands its work over.',
    access: { public: 'no token: for load balancers and orchestrators' },
    responses: {
      200: json('Ready: checks has redis (and workers in a process that runs them), each {ok, detail}', readyzSchema),
      503: json('Not ready: the error names what failed', notReadySchema),
    },
  },
  {
    method: 'get',
    path: '/v1/status',
    tag: 'health',
    summary: 'What lifeboat reaches now: each AWS endpoint per service and region, when each region was last read well, workers connected, Redis role',
    description: 'Answers 200 whatever is down: it reports, it does not judge. AWS endpoints are probed with a short deadline and the answer shared for a few seconds.',
    access: { role: 'viewer' },
    responses: {
      200: json('The status: checkedAt; aws: [{service, region, ok, ms, error}]; awsDown; regions: {region: {autoscaling: up|down, lastGoodReadAt}}; workers: {connected}; redis: {mode: standalone|sentinel, connection, node, role, sentinel?: {masterName, configured, monitoring, quorum, master}}', statusSchema),
    },
  },

  // --- plans and operations
  {
    method: 'post',
    path: '/v1/plans',
    tag: 'operations',
    summary: 'The plan for an intent, changing nothing (dry run)',
    description: 'Send Accept: text/plain for the plan as a table.',
    access: { role: 'operator' },
    body: intentSchema,
    responses: {
      200: json('The plan (JSON), or as text with Accept: text/plain', planReplySchema),
    },
    errors: ['LB_ERR_UNKNOWN_REGION', 'LB_ERR_UNKNOWN_SERVICE', 'LB_ERR_UNKNOWN_MODEL', 'LB_ERR_MODEL_PARAMETER', 'LB_ERR_MODEL_INPUT_MISSING', 'LB_ERR_MODEL_EVALUATION', 'LB_ERR_AWS_THROTTLED', 'LB_ERR_AWS_UNAVAILABLE', 'LB_ERR_AWS_REJECTED', 'LB_ERR_REGION_UNREADABLE'],
  },
  {
    method: 'post',
    path: '/v1/operations',
    tag: 'operations',
    summary: 'Start an operation (evacuate, shift, restore, scale, reconcile, prepare-switches, prepare-dark-capacity, release-dark-capacity); dryRun: true only plans it',
    description: 'An Idempotency-Key header makes a retried request return the operation the first one started (200, Idempotent-Replayed: true).',
    access: { role: 'operator' },
    headers: [{ name: 'Idempotency-Key', description: 'Any 1 to 255 visible ASCII characters; the same key with another body is refused', schema: idempotencyKeySchema }],
    body: operationRequestSchema,
    responses: {
      202: operationAnswer('Queued; Location names the operation'),
      200: json('The plan of a dry run ({dryRun: true, plan}), or the operation an earlier request with the same Idempotency-Key started', operationSubmitReplySchema),
    },
    errors: ['LB_ERR_UNKNOWN_REGION', 'LB_ERR_UNKNOWN_SERVICE', 'LB_ERR_UNKNOWN_MODEL', 'LB_ERR_MODEL_PARAMETER', 'LB_ERR_MODEL_INPUT_MISSING', 'LB_ERR_MODEL_EVALUATION', 'LB_ERR_NO_SERVING_REGION', 'LB_ERR_REGION_ALREADY_EVACUATED', 'LB_ERR_REGION_NOT_EVACUATED', 'LB_ERR_SHORTFALL', 'LB_ERR_NOTHING_TO_DO', 'LB_ERR_DESIRED_ABOVE_MAX', 'LB_ERR_REGION_LOCKED', 'LB_ERR_IDEMPOTENCY_MISMATCH', 'LB_ERR_AWS_THROTTLED', 'LB_ERR_AWS_UNAVAILABLE', 'LB_ERR_AWS_REJECTED', 'LB_ERR_REGION_UNREADABLE', 'LB_ERR_SWITCH_NOT_PREPARED'],
  },
  {
    method: 'get',
    path: '/v1/operations',
    tag: 'operations',
    summary: 'Operations and runbook runs, newest first',
    access: { role: 'viewer' },
    query: listQuerySchema,
    queryNotes: {
      state: `Comma list of ${OPERATION_STATES.join(', ')}`,
      kind: 'Comma list of evacuate, shift, restore, scale, runbook, reconcile, prepare-switches, prepare-dark-capacity, release-dark-capacity',
    },
    responses: { 200: json('The operations, as GET /v1/operations/:id shows each', operationListSchema) },
  },
  {
    method: 'get',
    path: '/v1/operations/:id',
    tag: 'operations',
    summary: 'One operation: state, steps, plan, progress, result',
    access: { role: 'viewer' },
    params: { id: operationIdSchema },
    responses: { 200: json('The operation: state, steps with their outcome and timing, plan, progress, result', operationOneSchema) },
    errors: ['LB_ERR_NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/v1/operations/:id/events',
    tag: 'operations',
    summary: "An operation's events as server-sent events, live until it finishes",
    description: 'operation.started, step.started, step.finished, capacity.progress, weights.applied, operation.error, operation.finished. Resume with the Last-Event-ID header (browsers send it on reconnect) or ?after=. 204 when the operation has finished and nothing follows the given event.',
    access: { role: 'viewer' },
    params: { id: operationIdSchema },
    query: eventsQuerySchema,
    headers: [{ name: 'Last-Event-ID', description: 'Resume after this event (the id of the last event received)', schema: eventIdSchema }],
    responses: {
      200: { description: 'The stream: id, event (the type) and data (the event as JSON) per event', contentType: 'text/event-stream', schema: { type: 'string' } },
      204: { description: 'Finished, and nothing after the given event' },
    },
    errors: ['LB_ERR_NOT_FOUND'],
  },
  {
    method: 'post',
    path: '/v1/operations/:id/cancel',
    tag: 'operations',
    summary: 'Cancel an operation; with rollback: true, undo what it did',
    access: { role: 'operator' },
    params: { id: operationIdSchema },
    body: cancelBodySchema,
    responses: { 202: operationAnswer('Cancellation asked; the worker stops at the next step boundary') },
    errors: ['LB_ERR_NOT_FOUND', 'LB_ERR_OPERATION_FINISHED'],
  },
  {
    method: 'post',
    path: '/v1/operations/:id/approve',
    tag: 'runbooks',
    summary: 'Approve (or reject) a runbook run waiting at an approve step',
    access: { role: 'approver' },
    params: { id: operationIdSchema },
    body: approveBodySchema,
    responses: { 200: operationAnswer('Decision recorded') },
    errors: ['LB_ERR_NOT_FOUND', 'LB_ERR_APPROVAL_NOT_PENDING', 'LB_ERR_APPROVAL_SAME_ACTOR'],
  },

  // --- fleet, models, readiness
  {
    method: 'get',
    path: '/v1/fleet',
    tag: 'fleet',
    summary: 'The fleet now: groups, capacity, weights and shares per region, which regions are evacuated, and work lifeboat left unfinished on AWS',
    description: 'unfinished lists groups pinned by an operation lifeboat has no record of (Redis lost it), with the sizes and weights its pin records hold; POST /v1/operations {"kind": "reconcile"} returns the fleet to them.',
    access: { role: 'viewer' },
    responses: {
      200: json('The snapshot; unfinished: operationId, groups (region, group, pinnedFrom, now), weights (name, before, now), message', fleetSchema),
    },
    errors: ['LB_ERR_AWS_THROTTLED', 'LB_ERR_AWS_UNAVAILABLE', 'LB_ERR_AWS_REJECTED'],
  },
  {
    method: 'get',
    path: '/v1/switches',
    tag: 'switches',
    summary: 'Each managed region\'s switch: its alarm (region, name, state), its health check, and the records missing it',
    description: 'A region switch is a CloudWatch alarm in another control region and a Route 53 CLOUDWATCH_METRIC health check on the region\'s weighted records: an evacuation with fallback "switch" turns it off when Route 53\'s change API fails (docs/operating.md).',
    access: { role: 'viewer' },
    responses: {
      200: json('The switches: controlRegions, and per region its alarm {region, name}, alarmState, position (on, off, unknown), healthCheckId, records, recordsMissingHealthCheck, prepared, problems; pendingChanges (what prepare-switches would change now), warnings, problems (a control region that cannot be read), readAt', switchesSchema),
    },
    errors: ['LB_ERR_SWITCH_NOT_PREPARED', 'LB_ERR_AWS_THROTTLED', 'LB_ERR_AWS_UNAVAILABLE', 'LB_ERR_AWS_REJECTED'],
  },
  {
    method: 'post',
    path: '/v1/switches/prepare',
    tag: 'switches',
    summary: 'Create or repair the region switches (a prepare-switches operation); dryRun: true answers the plan first',
    description: 'The same as POST /v1/operations {"kind": "prepare-switches"}: audited, one per region at a time, with an Idempotency-Key if sent.',
    access: { role: 'operator' },
    headers: [{ name: 'Idempotency-Key', description: 'Any 1 to 255 visible ASCII characters; the same key with another body is refused', schema: idempotencyKeySchema }],
    body: prepareSwitchesBodySchema,
    responses: {
      202: operationAnswer('Queued; Location names the operation'),
      200: json('The plan of a dry run ({dryRun: true, plan} with plan.switches), or the operation an earlier request with the same Idempotency-Key started', operationSubmitReplySchema),
    },
    errors: ['LB_ERR_UNKNOWN_REGION', 'LB_ERR_NOTHING_TO_DO', 'LB_ERR_REGION_LOCKED', 'LB_ERR_IDEMPOTENCY_MISMATCH', 'LB_ERR_SWITCH_NOT_PREPARED', 'LB_ERR_AWS_THROTTLED', 'LB_ERR_AWS_UNAVAILABLE', 'LB_ERR_AWS_REJECTED'],
  },
  {
    method: 'get',
    path: '/v1/models',
    tag: 'models',
    summary: 'The capacity models and the default',
    access: { role: 'viewer' },
    responses: { 200: json('The models', modelListSchema) },
  },
  {
    method: 'get',
    path: '/v1/models/:name',
    tag: 'models',
    summary: 'One capacity model',
    access: { role: 'viewer' },
    params: { name: modelName },
    responses: { 200: json('The model', modelOneSchema) },
    errors: ['LB_ERR_UNKNOWN_MODEL'],
  },
  {
    method: 'post',
    path: '/v1/models/:name/evaluate',
    tag: 'models',
    summary: 'Evaluate a model on explicit inputs (one value per region); changes nothing',
    access: { role: 'viewer' },
    params: { name: modelName },
    body: evaluateBodySchema,
    responses: { 200: json('Instances required (and share servable) per region', evaluationSchema) },
    errors: ['LB_ERR_UNKNOWN_MODEL', 'LB_ERR_MODEL_PARAMETER', 'LB_ERR_MODEL_EVALUATION'],
  },
  {
    method: 'get',
    path: '/v1/readiness',
    tag: 'fleet',
    summary: 'N+1 readiness: could the others absorb each region now? The latest report, or a fresh one with ?refresh=true',
    access: { role: 'viewer' },
    query: readinessQuerySchema,
    responses: { 200: json('The report', readinessSchema) },
    errors: ['LB_ERR_AWS_THROTTLED', 'LB_ERR_AWS_UNAVAILABLE', 'LB_ERR_AWS_REJECTED'],
  },

  // --- runbooks
  {
    method: 'get',
    path: '/v1/runbooks',
    tag: 'runbooks',
    summary: 'The runbooks',
    access: { role: 'viewer' },
    responses: { 200: json('The runbooks', runbookListSchema) },
  },
  {
    method: 'get',
    path: '/v1/runbooks/:name',
    tag: 'runbooks',
    summary: 'One runbook',
    access: { role: 'viewer' },
    params: { name: runbookName },
    responses: { 200: json('The runbook', runbookOneSchema) },
    errors: ['LB_ERR_UNKNOWN_RUNBOOK'],
  },
  {
    method: 'post',
    path: '/v1/runbooks/:name/runs',
    tag: 'runbooks',
    summary: 'Start a runbook run',
    access: { role: 'operator' },
    params: { name: runbookName },
    body: runBodySchema,
    responses: { 202: operationAnswer('Queued; Location names the run') },
    errors: ['LB_ERR_UNKNOWN_RUNBOOK', 'LB_ERR_UNKNOWN_REGION', 'LB_ERR_RUNBOOK_EXPRESSION'],
  },
  {
    method: 'post',
    path: '/v1/runbooks/:name/trigger',
    tag: 'runbooks',
    summary: 'Alarm webhook: start a runbook run, signed with the trigger secret instead of a token',
    description:
      'X-Lifeboat-Signature: sha256=<hex HMAC-SHA256, keyed with LIFEBOAT_TRIGGER_SECRET, of "POST\\n/v1/runbooks/<name>/trigger\\n<X-Lifeboat-Timestamp>\\n<X-Lifeboat-Trigger-Id>\\n<raw body>">, X-Lifeboat-Timestamp: Unix seconds, X-Lifeboat-Trigger-Id: new for every trigger (each is accepted once). The body is {"params": {...}} (other fields are kept with the run). `npx lifeboat runbook trigger` signs and sends one.',
    access: { hmac: true },
    params: { name: runbookName },
    headers: [
      { name: 'X-Lifeboat-Signature', description: 'sha256=<hex HMAC>', schema: z.string() },
      { name: 'X-Lifeboat-Timestamp', description: 'Unix seconds when it was signed', schema: z.string() },
      { name: 'X-Lifeboat-Trigger-Id', description: 'A new id for every trigger (a UUID): 8 to 128 of A-Z a-z 0-9 _ . : -; a second request with the same id is refused', schema: z.string().regex(TRIGGER_ID_PATTERN) },
      { name: 'X-Lifeboat-Trigger', description: 'Who triggers (recorded as the actor); webhook by default', schema: z.string() },
    ],
    responses: { 202: operationAnswer('Queued') },
    errors: ['LB_ERR_UNKNOWN_RUNBOOK', 'LB_ERR_UNKNOWN_REGION', 'LB_ERR_TRIGGER_SIGNATURE', 'LB_ERR_TRIGGER_TOO_SOON', 'LB_ERR_TRIGGER_REPLAYED', 'LB_ERR_MALFORMED_JSON', 'LB_ERR_BODY_TOO_LARGE'],
  },

  // --- audit
  {
    method: 'get',
    path: '/v1/audit',
    tag: 'audit',
    summary: 'Who changed what, newest first',
    access: { role: 'viewer' },
    query: auditQuerySchema,
    responses: { 200: json('Audit records: at, actor, action, outcome, regions, inputs, operationId, planHash, error', auditSchema) },
  },

  // --- browser: dashboard and its session
  {
    method: 'get',
    path: '/',
    tag: 'browser',
    summary: 'The dashboard (HTML; its data comes from this API with the session cookie)',
    access: { public: 'the page holds no data' },
    responses: { 200: { description: 'The dashboard page', contentType: 'text/html', schema: { type: 'string' } } },
  },
  {
    method: 'post',
    path: '/v1/session',
    tag: 'browser',
    summary: 'Log a browser in: open a server-side session with an API token; the HttpOnly, SameSite=Strict cookie holds the session id, never the token',
    access: { public: 'the token comes in the body' },
    body: sessionBodySchema,
    responses: { 200: json('Logged in; Set-Cookie holds the session', sessionSchema) },
  },
  {
    method: 'get',
    path: '/v1/session',
    tag: 'browser',
    summary: 'Who the session cookie (or bearer token) is',
    access: { role: 'viewer' },
    responses: { 200: json('The identity, and how it was proven: bearer, cookie or insecure', sessionSchema) },
  },
  {
    method: 'delete',
    path: '/v1/session',
    tag: 'browser',
    summary: 'Log the browser out: end the session on the server (a copy of the cookie stops working) and clear the cookie',
    access: { public: 'ending the session the cookie names needs nothing more than the cookie' },
    responses: { 204: { description: 'Logged out' } },
  },

  // --- observability
  {
    method: 'get',
    path: '/metrics',
    tag: 'observability',
    summary: 'Prometheus metrics (text exposition format)',
    access: { role: 'viewer' },
    responses: { 200: { description: 'Metrics: lifeboat_* families and Node process metrics', contentType: 'text/plain; version=0.0.4', schema: { type: 'string' } } },
  },
  {
    method: 'get',
    path: '/openapi.json',
    tag: 'observability',
    summary: 'This document (OpenAPI 3.1)',
    access: { role: 'viewer' },
    responses: { 200: json('The OpenAPI document', jsonObjectSchema) },
  },
  {
    method: 'get',
    path: '/docs',
    tag: 'observability',
    summary: 'This document as a page',
    access: { role: 'viewer' },
    responses: { 200: { description: 'HTML', contentType: 'text/html', schema: { type: 'string' } } },
  },
  {
    method: 'get',
    path: '/docs/docs.css',
    tag: 'observability',
    summary: "The docs page's stylesheet",
    access: { role: 'viewer' },
    responses: { 200: { description: 'CSS', contentType: 'text/css', schema: { type: 'string' } } },
  },
  {
    method: 'get',
    path: QUEUE_BOARD_PATH,
    tag: 'observability',
    summary: 'Bull Board: the operations, runbooks and maintenance queues',
    description: `The board and everything under ${QUEUE_BOARD_PATH} (its files and its own JSON API, ${QUEUE_BOARD_PATH}/api/...) are served by Bull Board. Viewers see a read-only board.`,
    access: { role: 'viewer' },
    subtree: { changes: 'admin' },
    responses: { 200: { description: 'The board (HTML)', contentType: 'text/html', schema: { type: 'string' } } },
  },
  {
    method: 'get',
    path: `${QUEUE_BOARD_PATH}/api/redis/stats`,
    tag: 'observability',
    summary: "The queue board's Redis details: version, memory, clients, the host's OS (admin only)",
    description: 'Served by Bull Board like the rest of the board, but only to admin: it describes the Redis server and the machine it runs on, which viewers have no need of. The read-only board has no Redis details button.',
    access: { role: 'admin' },
    responses: { 200: json('Redis server details (the queue board’s own API)', jsonObjectSchema) },
  },
];

/** Express path syntax (:id) to OpenAPI's ({id}). */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]\w*)/g, '{$1}');
}

/** The path parameters a route path names. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z_]\w*)/g)].map((m) => m[1]!);
}

/**
 * Every error a route can answer with: what its kind of route can always meet (no token,
 * no role, Redis away, bad input, too many changes) and what it names itself.
 */
export function errorCodesOf(route: RouteDoc): ErrorCode[] {
  const codes = new Set<ErrorCode>();
  const underV1 = route.path.startsWith('/v1/');
  if ('role' in route.access) {
    codes.add('LB_ERR_UNAUTHENTICATED');
    // Every token has the viewer role; a change sent with the session cookie can be refused as a forgery.
    if (route.access.role !== 'viewer' || route.method !== 'get') codes.add('LB_ERR_FORBIDDEN');
    if (route.method !== 'get') codes.add('LB_ERR_RATE_LIMITED');
  }
  if (underV1) codes.add('LB_ERR_DEPENDENCY_DOWN');
  if (route.body || route.query || route.params || route.headers) codes.add('LB_ERR_VALIDATION');
  if (route.body) for (const c of ['LB_ERR_MALFORMED_JSON', 'LB_ERR_BODY_TOO_LARGE', 'LB_ERR_UNSUPPORTED_MEDIA_TYPE'] as const) codes.add(c);
  for (const c of route.errors ?? []) codes.add(c);
  codes.add('LB_ERR_INTERNAL');
  return [...codes];
}

// --- The role a request needs, read from the catalog (src/api/auth.ts asks here)

/** What a read needs when no route says otherwise: every token may read. */
const READ_ROLE: Role = 'viewer';
/** What a change needs when no route says otherwise: the router then answers 404. */
const CHANGE_ROLE: Role = 'operator';

interface CompiledRoute {
  route: RouteDoc;
  /** The route's own path, matched against a normalized request path. */
  path: RegExp;
  /** The path and everything under it, for a route with a subtree. */
  subtree?: RegExp;
}

/**
 * A request path as the router judges it: case-insensitive, trailing slashes forgiven.
 * Doubled slashes are collapsed too, so /v1//operations/x/approve needs what approving does.
 */
function normalizedPath(path: string): string {
  return path.toLowerCase().replace(/\/{2,}/g, '/').replace(/(.)\/+$/, '$1');
}

/** The catalog's method for a request's: the router answers HEAD with a route's GET handler. */
function routedMethod(method: string): string {
  const m = method.toLowerCase();
  return m === 'head' ? 'get' : m;
}

/** A route path's pattern: literal segments as written (case folded), :params one segment each. */
function pathPattern(path: string): string {
  return normalizedPath(path)
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
}

const compiledTables = new WeakMap<readonly RouteDoc[], CompiledRoute[]>();

function compiled(routes: readonly RouteDoc[]): CompiledRoute[] {
  let table = compiledTables.get(routes);
  if (!table) {
    table = routes.map((route) => {
      const pattern = pathPattern(route.path);
      return { route, path: new RegExp(`^${pattern}$`), ...(route.subtree ? { subtree: new RegExp(`^${pattern === '/' ? '' : pattern}(/.*)?$`) } : {}) };
    });
    compiledTables.set(routes, table);
  }
  return table;
}

const roleOf = (route: RouteDoc): Role | undefined => ('role' in route.access ? route.access.role : undefined);

/**
 * The catalog entries that serve a request: the route with its method and path (HEAD is
 * served by a GET route); else a route whose subtree holds the path (any method). A route of
 * its own under a subtree (the queue board's Redis stats) is served by its entry alone.
 */
export function entriesServing(method: string, path: string, routes: readonly RouteDoc[] = ROUTES): RouteDoc[] {
  const m = routedMethod(method);
  const p = normalizedPath(path);
  const table = compiled(routes);
  const own = table.filter((c) => c.route.method === m && c.path.test(p)).map((c) => c.route);
  return own.length > 0 ? own : table.filter((c) => c.subtree?.test(p)).map((c) => c.route);
}

/**
 * The role a request needs, from the catalog:
 * - the route that serves the method and path needs the role it names;
 * - under a route with a subtree (the queue board), reads need that route's role and any
 *   other method the subtree's;
 * - a path no route knows: reads (GET, HEAD) need viewer and anything else operator, and
 *   the router then answers 404;
 * - a method a known path does not serve (PUT on the approve route; OPTIONS, which the
 *   router answers with the methods it has) needs the role of that path's changes, so
 *   probing a path needs what acting on it does.
 * Routes without a token (healthz, the dashboard, logging in, signed triggers) are answered
 * before authentication; should such a request reach it, it is judged as an unknown one.
 */
export function roleNeeded(method: string, path: string, routes: readonly RouteDoc[] = ROUTES): Role {
  const m = routedMethod(method);
  const p = normalizedPath(path);
  const table = compiled(routes);
  const served = table.find((c) => c.route.method === m && c.path.test(p));
  const role = served && roleOf(served.route);
  if (role) return role;
  const mount = table.find((c) => c.subtree?.test(p))?.route;
  if (mount?.subtree) return m === 'get' ? (roleOf(mount) ?? READ_ROLE) : mount.subtree.changes;
  if (m === 'get') return READ_ROLE;
  const change = table.find((c) => c.route.method !== 'get' && roleOf(c.route) && c.path.test(p));
  return (change && roleOf(change.route)) ?? CHANGE_ROLE;
}
