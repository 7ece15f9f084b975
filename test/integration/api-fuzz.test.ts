import type { Agent as HttpAgent } from 'node:http';
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { auditQuerySchema } from '../../src/api/routes/audit';
import { evaluateBodySchema } from '../../src/api/routes/models';
import { approveBodySchema, cancelBodySchema, listQuerySchema } from '../../src/api/routes/operations';
import { runBodySchema } from '../../src/api/routes/runbooks';
import { DryRunCloud } from '../../src/cloud/dry-run/dry-run-cloud';
import type { ErrorCode } from '../../src/core/errors';
import { ERROR_CATALOG } from '../../src/core/errors';
import { intentSchema, regionCode } from '../../src/core/intents';
import type { CapacityModel } from '../../src/core/models/capacity-model';
import type { Runbook } from '../../src/core/runbooks/runbook-schema';
import { operationRequestSchema } from '../../src/operations/operation-types';
import { submitOperation } from '../../src/operations/submit-operation';
import { signTrigger, triggerPath } from '../../src/operations/trigger-signature';
import { startRun } from '../../src/runbooks/start-run';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import { fleetReading } from '../support/fleet-fixture';
import type { TestLifeboat } from '../support/harness';
import { TEST_TOKENS, testLifeboat } from '../support/harness';
import { validApproveBody, validAuditQuery, validCancelBody, validOperationId, validOperationsQuery, validReadinessQuery, validRunBody } from '../support/api-contract';
import type { ArbitraryHints } from '../support/schema-arbitrary';
import { arbitraryOf, deeplyNested, garbage, HOSTILE_KEYS, jsonSchemaOf, mutationsOf, notAnObject, withOwnKey } from '../support/schema-arbitrary';

/*
 * Fuzzing the HTTP API (issue 6, item 5). Requests are generated from the API's zod
 * schemas, then mutated (bodies, headers, paths, query strings). For each one an oracle
 * says what lifeboat must answer — using the same zod schemas' safeParse for the body and
 * query, and the documented order of checks (authentication, role, media type, JSON, route,
 * fields) — and every answer is checked: never a 5xx, every error the catalog's JSON with
 * the catalog's status, no stack trace or token in any body, and a request the oracle calls
 * invalid gets a 4xx and starts no operation, no runbook run and no AWS call.
 *
 * No worker runs, so nothing queued ever executes: the job counts only move when the API
 * queues something, and the DryRunCloud's `calls` must stay empty throughout.
 *
 * Deterministic: a fixed seed per property (FUZZ_SEED to change it, FUZZ_RUNS to scale the
 * number of cases); fast-check prints the seed and the counterexample when one fails.
 * The API runs in this process, so a request that keeps the CPU busy for good (as the
 * Erlang C search once did) stalls the file rather than failing it: FUZZ_DEBUG_LOG=<file>
 * appends each request before it is sent, and FUZZ_DEBUG_SLOW=<ms> prints slow answers.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const RUN_SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const TRIGGER_SECRET = 'fuzz-trigger-secret-0123456789abcdef';
const MANAGED = ['us-east-1', 'us-west-2', 'eu-west-1'];
const BODY_LIMIT_BYTES = 64 * 1024;

// ---------------------------------------------------------------------------------------
// What lifeboat must answer: the oracle.

type Role = 'viewer' | 'operator' | 'approver' | 'admin';

type Expectation =
  /** Invalid input: a 4xx with one of these codes; nothing started. */
  | { kind: 'reject'; codes: ErrorCode[]; why: string }
  /** Valid input: a 2xx, or a refusal with one of these codes (then nothing started). */
  | { kind: 'accept'; refusals: ErrorCode[]; why: string };

const reject = (why: string, ...codes: ErrorCode[]): Expectation => ({ kind: 'reject', codes, why });
const accept = (why: string, ...refusals: ErrorCode[]): Expectation => ({ kind: 'accept', refusals, why });

/** What planning may refuse for a well-formed intent. */
// LB_ERR_SWITCH_NOT_PREPARED: prepare-switches where the cloud has no switch board.
const PLAN_REFUSALS: ErrorCode[] = ['LB_ERR_UNKNOWN_REGION', 'LB_ERR_UNKNOWN_SERVICE', 'LB_ERR_UNKNOWN_MODEL', 'LB_ERR_MODEL_PARAMETER', 'LB_ERR_MODEL_INPUT_MISSING', 'LB_ERR_MODEL_EVALUATION', 'LB_ERR_SWITCH_NOT_PREPARED'];
/** ... and what starting an operation may refuse on top. */
const SUBMIT_REFUSALS: ErrorCode[] = [
  ...PLAN_REFUSALS,
  'LB_ERR_NO_SERVING_REGION',
  'LB_ERR_REGION_ALREADY_EVACUATED',
  'LB_ERR_REGION_NOT_EVACUATED',
  'LB_ERR_SHORTFALL',
  'LB_ERR_NOTHING_TO_DO',
  'LB_ERR_DESIRED_ABOVE_MAX',
  'LB_ERR_REGION_LOCKED',
  'LB_ERR_IDEMPOTENCY_MISMATCH',
  // The planner's checks across fields, which the schema cannot make: a shift to the region it
  // empties, a distribution weight for the region being evacuated. Refused like any blocker.
  'LB_ERR_VALIDATION',
];

/** GET /v1/readiness's query: the same shape as the route's. */
const readinessQuerySchema = z.object({ refresh: z.enum(['true', 'false']).optional() }).strict();

type EndpointName =
  | 'healthz'
  | 'readyz'
  | 'fleet'
  | 'models'
  | 'model'
  | 'evaluate'
  | 'runbooks'
  | 'runbook'
  | 'runs'
  | 'trigger'
  | 'readiness'
  | 'audit'
  | 'operations.list'
  | 'operations.get'
  | 'operations.submit'
  | 'cancel'
  | 'approve'
  | 'plans';

type ParamKind = 'id' | 'model' | 'runbook';

interface Endpoint {
  name: EndpointName;
  method: 'GET' | 'POST';
  /** Path segments; ':id', ':model' and ':runbook' are parameters. */
  segments: string[];
  query?: z.ZodType;
  body?: z.ZodType;
}

const ENDPOINTS: Endpoint[] = [
  { name: 'healthz', method: 'GET', segments: ['healthz'] },
  { name: 'readyz', method: 'GET', segments: ['readyz'] },
  { name: 'fleet', method: 'GET', segments: ['v1', 'fleet'] },
  { name: 'models', method: 'GET', segments: ['v1', 'models'] },
  { name: 'model', method: 'GET', segments: ['v1', 'models', ':model'] },
  { name: 'evaluate', method: 'POST', segments: ['v1', 'models', ':model', 'evaluate'], body: evaluateBodySchema },
  { name: 'runbooks', method: 'GET', segments: ['v1', 'runbooks'] },
  { name: 'runbook', method: 'GET', segments: ['v1', 'runbooks', ':runbook'] },
  { name: 'runs', method: 'POST', segments: ['v1', 'runbooks', ':runbook', 'runs'], body: runBodySchema },
  { name: 'trigger', method: 'POST', segments: ['v1', 'runbooks', ':runbook', 'trigger'], body: runBodySchema },
  { name: 'readiness', method: 'GET', segments: ['v1', 'readiness'], query: readinessQuerySchema },
  { name: 'audit', method: 'GET', segments: ['v1', 'audit'], query: auditQuerySchema },
  { name: 'operations.list', method: 'GET', segments: ['v1', 'operations'], query: listQuerySchema },
  { name: 'operations.get', method: 'GET', segments: ['v1', 'operations', ':id'] },
  { name: 'operations.submit', method: 'POST', segments: ['v1', 'operations'], body: operationRequestSchema },
  { name: 'cancel', method: 'POST', segments: ['v1', 'operations', ':id', 'cancel'], body: cancelBodySchema },
  { name: 'approve', method: 'POST', segments: ['v1', 'operations', ':id', 'approve'], body: approveBodySchema },
  { name: 'plans', method: 'POST', segments: ['v1', 'plans'], body: intentSchema },
];
const endpointNamed = (name: EndpointName) => ENDPOINTS.find((e) => e.name === name)!;

/** The role a request needs, from its method and path, whatever the path's case or trailing slashes. */
function roleNeeded(method: string, path: string): Role {
  if (method === 'GET' || method === 'HEAD') return 'viewer';
  const p = path.toLowerCase().replace(/\/{2,}/g, '/').replace(/(.)\/+$/, '$1');
  if (/^\/v1\/operations\/[^/]+\/approve$/.test(p)) return 'approver';
  if (/^\/v1\/models\/[^/]+\/evaluate$/.test(p)) return 'viewer';
  return 'operator';
}

const IDENTITIES: Record<keyof typeof TEST_TOKENS, Role[]> = {
  admin: ['admin'],
  viewer: ['viewer'],
  operator: ['operator'],
  approver: ['approver'],
  approver2: ['approver', 'operator'],
};
const hasRole = (roles: Role[], needed: Role) => roles.includes('admin') || (needed === 'viewer' ? roles.length > 0 : roles.includes(needed));

/** Authorization headers, and who (if anyone) each one authenticates. */
interface AuthVariant {
  label: string;
  header?: string | string[];
  roles?: Role[];
}
const bearer = (who: keyof typeof TEST_TOKENS) => `Bearer ${TEST_TOKENS[who]}`;
const AUTH_VARIANTS: AuthVariant[] = [
  ...(Object.keys(TEST_TOKENS) as Array<keyof typeof TEST_TOKENS>).map((who) => ({ label: who, header: bearer(who), roles: IDENTITIES[who] })),
  { label: 'admin, padded (the server trims)', header: ` ${bearer('admin')}  `, roles: ['admin'] },
  { label: 'viewer first of two headers (Node keeps the first)', header: [bearer('viewer'), bearer('admin')], roles: ['viewer'] },
  { label: 'none' },
  { label: 'lowercase scheme', header: `bearer ${TEST_TOKENS.admin}` },
  { label: 'two spaces', header: `Bearer  ${TEST_TOKENS.admin}` },
  { label: 'token plus a character', header: `${bearer('admin')}x` },
  { label: 'token minus a character', header: bearer('admin').slice(0, -1) },
  { label: 'basic', header: 'Basic YWRtaW46YWRtaW4=' },
  { label: 'scheme only', header: 'Bearer' },
  { label: 'short token', header: 'Bearer abc' },
  { label: 'huge token', header: `Bearer ${'a'.repeat(600)}` },
  { label: 'two tokens', header: `${bearer('admin')},${bearer('admin')}` },
  { label: 'latin1 token', header: `Bearer lbt_t\u00e9st-admin-token-000000000` },
  { label: 'empty', header: '' },
];
const authArb: fc.Arbitrary<AuthVariant> = fc.oneof(
  { arbitrary: fc.constantFrom(...AUTH_VARIANTS.filter((a) => a.label === 'admin' || a.label === 'operator' || a.label === 'approver2')), weight: 14 },
  { arbitrary: fc.constantFrom(...AUTH_VARIANTS), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((s) => ({ label: 'random', header: s.replace(/[^\t\x20-\x7e]/g, '') })), weight: 1 },
);

/** Content types, and how the JSON parser in front of /v1 takes each. */
type CtClass = 'json' | 'not-json' | 'bad-charset' | 'utf16';
interface CtVariant {
  value?: string;
  cls: CtClass;
}
const CONTENT_TYPES: CtVariant[] = [
  { value: 'application/json', cls: 'json' },
  { value: 'application/json; charset=utf-8', cls: 'json' },
  { value: 'APPLICATION/JSON; Charset=UTF-8', cls: 'json' },
  { value: 'application/json;charset="utf-8"', cls: 'json' },
  { value: ' application/json ', cls: 'json' },
  { value: 'application/json; foo', cls: 'json' },
  { value: 'application/json; charset=latin1', cls: 'bad-charset' },
  { value: 'application/json; charset=us-ascii', cls: 'bad-charset' },
  { value: 'application/json; charset=UTF8', cls: 'bad-charset' },
  { value: 'application/json; charset=utf-16', cls: 'utf16' },
  { cls: 'not-json' },
  { value: '', cls: 'not-json' },
  { value: 'text/plain', cls: 'not-json' },
  { value: 'text/json', cls: 'not-json' },
  { value: 'application/x-www-form-urlencoded', cls: 'not-json' },
  { value: 'multipart/form-data; boundary=x', cls: 'not-json' },
  { value: 'application/vnd.lifeboat+json', cls: 'not-json' },
  { value: 'application/jsonx', cls: 'not-json' },
  { value: 'application/*', cls: 'not-json' },
  { value: '*/*', cls: 'not-json' },
  { value: 'application/json, text/plain', cls: 'not-json' },
  { value: '\u00e9/\u00e9', cls: 'not-json' },
];
const ctArb: fc.Arbitrary<CtVariant> = fc.oneof({ arbitrary: fc.constant(CONTENT_TYPES[0]!), weight: 12 }, { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 2 });

/** Path decorations the router forgives (case, trailing slash) and ones it does not (an empty segment, a %-escaped letter in a fixed segment). */
type Decoration = 'none' | 'trailing-slash' | 'upper' | 'capitalized' | 'empty-segment' | 'escaped-letter';
const decorationArb: fc.Arbitrary<Decoration> = fc.oneof(
  { arbitrary: fc.constant('none' as const), weight: 10 },
  { arbitrary: fc.constantFrom<Decoration>('trailing-slash', 'upper', 'capitalized', 'empty-segment', 'escaped-letter'), weight: 2 },
);

interface ParamValue {
  value: string;
  /** Sent with a broken %-escape: the router cannot decode it. */
  malformed: '' | '%' | '%zz' | '%E0%A4%A';
}

interface Body {
  bytes: Buffer;
  /** What was generated, for messages. */
  source: string;
}

interface RequestPlan {
  endpoint: EndpointName;
  /** Another method than the endpoint's (no route answers it, unless OPTIONS). */
  method?: string;
  params: Partial<Record<ParamKind, ParamValue>>;
  decoration: Decoration;
  /** The raw query string, without '?'. */
  query?: string;
  auth: AuthVariant;
  contentType: CtVariant;
  chunked: boolean;
  body: Body;
  idempotencyKey?: string;
  requestId?: string;
  accept?: string;
  trigger?: { timestamp: 'now' | 'recent' | 'stale' | 'future' | 'garbage' | 'none'; signature: 'valid' | 'none' | 'wrong' | 'uppercase' | 'no-prefix' | 'other-body'; source?: string };
}

interface Built {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body: Buffer;
  chunked: boolean;
}

/** What the oracle needs of the running lifeboat: names that exist. */
interface World {
  models: ReadonlyMap<string, CapacityModel>;
  runbooks: ReadonlyMap<string, Runbook>;
}

function decorate(segments: string[], decoration: Decoration, isStatic: boolean[]): string {
  const segs = segments.map((s, i) => {
    if (!isStatic[i]) return s;
    if (decoration === 'upper') return s.toUpperCase();
    if (decoration === 'capitalized') return s.charAt(0).toUpperCase() + s.slice(1);
    return s;
  });
  if (decoration === 'empty-segment' && segs.length > 1) segs.splice(1, 0, '');
  if (decoration === 'escaped-letter') {
    const last = isStatic.lastIndexOf(true);
    segs[last] = `%${segs[last]!.charCodeAt(0).toString(16)}${segs[last]!.slice(1)}`;
  }
  return `/${segs.join('/')}${decoration === 'trailing-slash' ? '/' : ''}`;
}

/** Content-Length goes with every body, and with every request but a GET (as clients do). */
const sendsContentLength = (plan: RequestPlan) => !plan.chunked && (plan.body.bytes.length > 0 || (plan.method ?? endpointNamed(plan.endpoint).method) !== 'GET');

/** Turn a plan into the bytes on the wire. */
function build(plan: RequestPlan, nowSeconds: number): Built {
  const ep = endpointNamed(plan.endpoint);
  const isStatic = ep.segments.map((s) => !s.startsWith(':'));
  const segments = ep.segments.map((s) => {
    if (!s.startsWith(':')) return s;
    const p = plan.params[s.slice(1) as ParamKind]!;
    return encodeURIComponent(p.value) + p.malformed;
  });
  const path = decorate(segments, plan.decoration, isStatic) + (plan.query !== undefined ? `?${plan.query}` : '');
  const headers: Built['headers'] = {};
  if (plan.auth.header !== undefined) headers.authorization = plan.auth.header;
  if (plan.contentType.value !== undefined) headers['content-type'] = plan.contentType.value;
  if (plan.idempotencyKey !== undefined) headers['idempotency-key'] = plan.idempotencyKey;
  if (plan.requestId !== undefined) headers['x-request-id'] = plan.requestId;
  if (plan.accept !== undefined) headers.accept = plan.accept;
  if (plan.chunked) headers['transfer-encoding'] = 'chunked';
  else if (sendsContentLength(plan)) headers['content-length'] = String(plan.body.bytes.length);
  if (plan.trigger) {
    const t = plan.trigger;
    const ts = { now: String(nowSeconds), recent: String(nowSeconds - 30), stale: String(nowSeconds - 3600), future: String(nowSeconds + 3600), garbage: 'yesterday', none: undefined }[t.timestamp];
    if (ts !== undefined) headers['x-lifeboat-timestamp'] = ts;
    // A new trigger id for every request sent: each signed request is accepted once.
    const triggerId = randomUUID();
    headers['x-lifeboat-trigger-id'] = triggerId;
    const signed = (secret: string, body: Buffer) => signTrigger(secret, { method: 'POST', path: triggerPath(plan.params.runbook!.value), timestamp: ts ?? '', triggerId, body });
    const good = signed(TRIGGER_SECRET, plan.body.bytes);
    const signature = {
      valid: good,
      none: undefined,
      wrong: signed('not-the-secret-0123456789', plan.body.bytes),
      uppercase: `sha256=${good.slice(7).toUpperCase()}`,
      'no-prefix': good.slice(7),
      'other-body': signed(TRIGGER_SECRET, Buffer.concat([plan.body.bytes, Buffer.from(' ')])),
    }[t.signature];
    if (signature !== undefined) headers['x-lifeboat-signature'] = signature;
    if (t.source !== undefined) headers['x-lifeboat-trigger'] = t.source;
  }
  return { method: plan.method ?? ep.method, path, headers, body: plan.body.bytes, chunked: plan.chunked };
}

/** The JSON parser's reading of a body: its value, or why it refuses it. */
function parsedBody(plan: RequestPlan, lengthHeader: boolean): { value: unknown } | { refuse: Expectation } {
  const { bytes } = plan.body;
  const ct = plan.contentType.cls;
  // requireJson: a body (bytes, or a chunked stream) must say it is JSON.
  if ((bytes.length > 0 || plan.chunked) && ct === 'not-json') return { refuse: reject('a body that does not say it is JSON', 'LB_ERR_UNSUPPORTED_MEDIA_TYPE') };
  // The JSON parser reads whatever announces a body (even Content-Length: 0) as JSON.
  if (!(plan.chunked || lengthHeader) || ct === 'not-json') return { value: {} };
  if (ct === 'bad-charset') return { refuse: reject('a charset other than UTF-8', 'LB_ERR_UNSUPPORTED_MEDIA_TYPE') };
  if (bytes.length > BODY_LIMIT_BYTES) return { refuse: reject('a body over the limit', 'LB_ERR_BODY_TOO_LARGE') };
  // Decoded as the charset says (UTF-16 without a BOM is little-endian), the BOM dropped; nothing left is {}.
  const text = bytes.toString(ct === 'utf16' ? 'utf16le' : 'utf8').replace(/^\uFEFF/, '');
  if (text.length === 0) return { value: {} };
  if (!/^[ \t\n\r]*[[{]/.test(text)) return { refuse: reject('a body that is not a JSON object or array', 'LB_ERR_MALFORMED_JSON') };
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { refuse: reject('a body that is not JSON', 'LB_ERR_MALFORMED_JSON') };
  }
}

/**
 * A runbook's parameter check, as documented: declared names only, required ones given, typed,
 * allowed values, and a region parameter naming a managed region (LB_ERR_UNKNOWN_REGION).
 */
function runbookParamsProblem(runbook: Runbook, raw: Record<string, unknown>): { why: string; code: ErrorCode } | undefined {
  const invalid = (why: string) => ({ why, code: 'LB_ERR_VALIDATION' as ErrorCode });
  for (const key of Object.keys(raw)) if (!Object.hasOwn(runbook.parameters, key)) return invalid(`undeclared parameter ${JSON.stringify(key)}`);
  for (const [key, spec] of Object.entries(runbook.parameters)) {
    let v = (Object.hasOwn(raw, key) ? raw[key] : undefined) ?? spec.default;
    if (v === undefined) {
      if (spec.required) return invalid(`missing parameter ${key}`);
      continue;
    }
    if (typeof v === 'string' && spec.type === 'number' && v.trim() !== '' && Number.isFinite(Number(v))) v = Number(v);
    if (typeof v === 'string' && spec.type === 'boolean' && (v === 'true' || v === 'false')) v = v === 'true';
    const valueType = spec.type === 'region' ? 'string' : spec.type;
    if (typeof v !== valueType) return invalid(`parameter ${key} is not a ${valueType}`);
    if (spec.type === 'region' && !MANAGED.includes(v as string)) return { why: `parameter ${key} names a region lifeboat does not manage`, code: 'LB_ERR_UNKNOWN_REGION' };
    if (spec.allowed && !spec.allowed.includes(v as string | number)) return invalid(`parameter ${key} is not an allowed value`);
  }
  return undefined;
}

/** An own `__proto__` key anywhere (JSON.parse makes one): walked with a queue, bodies nest thousands deep. */
function hasPrototypeKey(value: unknown): boolean {
  const queue = [value];
  while (queue.length > 0) {
    const v = queue.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (Object.hasOwn(v, '__proto__')) return true;
    queue.push(...Object.values(v));
  }
  return false;
}

function namedRegions(request: {
  kind: string;
  region?: string;
  from?: string;
  to?: string | string[];
  weights?: Record<string, Record<string, number>>;
  groups?: Array<{ region: string }>;
  regions?: string[];
}): string[] {
  if (request.kind === 'prepare-switches') return request.regions ?? [];
  // Warm pools are sized per service across every region: these name no region.
  if (request.kind === 'prepare-dark-capacity' || request.kind === 'release-dark-capacity') return [];
  if (request.kind === 'reconcile') return [...Object.values(request.weights ?? {}).flatMap((w) => Object.keys(w)), ...(request.groups ?? []).map((g) => g.region)];
  return request.kind === 'shift' ? [request.from!, ...(request.to === undefined ? [] : [request.to].flat())] : [request.region!];
}

/** What lifeboat must answer to a plan, following the documented order of checks. */
function predict(plan: RequestPlan, world: World): Expectation {
  const ep = endpointNamed(plan.endpoint);
  const method = plan.method ?? ep.method;
  const path = decorate(ep.segments, plan.decoration, ep.segments.map((s) => !s.startsWith(':')));
  // The router matches the path as sent: an empty segment or an escaped letter matches no route.
  const misrouted = (plan.decoration === 'empty-segment' && ep.segments.length > 1) || plan.decoration === 'escaped-letter';
  const routed = !misrouted && (plan.method === undefined || plan.method === 'OPTIONS');
  const malformed = Object.values(plan.params).some((p) => p.malformed !== '');
  const underV1 = ep.segments[0] === 'v1';

  if (ep.name === 'healthz' && routed && method === 'GET') return accept('/healthz answers everyone');
  // Readiness is this process's (Redis answers it): AWS and workers are not its concern.
  if (ep.name === 'readyz' && routed && method === 'GET') return accept('/readyz answers everyone');

  // The webhook route is before authentication; its router answers OPTIONS itself.
  if (ep.name === 'trigger' && routed && method === 'OPTIONS') return accept('OPTIONS lists the methods of a route');
  if (ep.name === 'trigger' && routed && method === 'POST') {
    // Before authentication: the webhook proves itself with its signature.
    // The path is decoded before the body is read: a broken %-escape is refused first.
    if (malformed) return reject('a runbook name with a broken %-escape', 'LB_ERR_VALIDATION');
    if (plan.body.bytes.length > BODY_LIMIT_BYTES) return reject('a trigger body over the limit', 'LB_ERR_BODY_TOO_LARGE');
    const t = plan.trigger!;
    const signed = t.signature === 'valid' && (t.timestamp === 'now' || t.timestamp === 'recent');
    if (!signed) return reject(`trigger signature ${t.signature}, timestamp ${t.timestamp}`, 'LB_ERR_TRIGGER_SIGNATURE');
    const runbook = world.runbooks.get(plan.params.runbook!.value);
    if (!runbook) return reject('an unknown runbook', 'LB_ERR_UNKNOWN_RUNBOOK');
    let payload: unknown;
    try {
      payload = JSON.parse(plan.body.bytes.toString('utf8'));
    } catch {
      return reject('a signed trigger whose body is not JSON', 'LB_ERR_MALFORMED_JSON');
    }
    const p = payload as { params?: unknown };
    const params = payload && typeof payload === 'object' && 'params' in payload && typeof p.params === 'object' && p.params ? (p.params as Record<string, unknown>) : {};
    const problem = runbookParamsProblem(runbook, params);
    // The parameters are checked before the trigger claims its minimum interval.
    if (problem) return reject(`a signed trigger with ${problem.why}`, problem.code);
    return accept('a signed trigger', 'LB_ERR_TRIGGER_TOO_SOON');
  }

  const roles = plan.auth.roles;
  if (!roles) return reject(`authorization: ${plan.auth.label}`, 'LB_ERR_UNAUTHENTICATED');
  const needed = roleNeeded(method, path);
  if (!hasRole(roles, needed)) return reject(`${plan.auth.label} lacks ${needed}`, 'LB_ERR_FORBIDDEN');

  let body: unknown = {};
  if (underV1) {
    const parsed = parsedBody(plan, sendsContentLength(plan));
    if ('refuse' in parsed) return parsed.refuse;
    body = parsed.value;
  }
  if (!routed) return reject(`${method} ${path}: no such route`, 'LB_ERR_NOT_FOUND');
  if (malformed) return reject('a path parameter with a broken %-escape', 'LB_ERR_VALIDATION');
  if (method === 'OPTIONS') return accept('OPTIONS lists the methods of a route', 'LB_ERR_NOT_FOUND');

  // Express's 'simple' query parser is node:querystring, over what precedes a '#'.
  const query = parseQuery((plan.query ?? '').split('#')[0]!);
  const param = (k: ParamKind) => plan.params[k]!.value;
  // Bodies are validated after a check for `__proto__` keys, which zod's records would drop.
  const safeParse = <T extends z.ZodType>(schema: T, value: unknown) => (hasPrototypeKey(value) ? { success: false as const } : schema.safeParse(value));
  const invalid = (schema: z.ZodType, value: unknown) => !safeParse(schema, value).success;
  switch (ep.name) {
    case 'healthz':
    case 'readyz':
    case 'trigger':
      throw new Error('handled above');
    case 'fleet':
    case 'models':
    case 'runbooks':
      return accept('a listing');
    case 'model':
      return world.models.has(param('model')) ? accept('a model') : reject('an unknown model', 'LB_ERR_UNKNOWN_MODEL');
    case 'runbook':
      return world.runbooks.has(param('runbook')) ? accept('a runbook') : reject('an unknown runbook', 'LB_ERR_UNKNOWN_RUNBOOK');
    // These inputs are judged by the hand-written contract (test/support/api-contract.ts), not the routes' schemas.
    case 'readiness':
    case 'audit':
    case 'operations.list': {
      const valid = { readiness: validReadinessQuery, audit: validAuditQuery, 'operations.list': validOperationsQuery }[ep.name];
      return valid(query) ? accept('a valid query') : reject('an invalid query', 'LB_ERR_VALIDATION');
    }
    case 'operations.get':
      return validOperationId(param('id')) ? accept('a well-formed id', 'LB_ERR_NOT_FOUND') : reject('an invalid id', 'LB_ERR_VALIDATION');
    case 'cancel':
    case 'approve':
      if (!validOperationId(param('id'))) return reject('an invalid id', 'LB_ERR_VALIDATION');
      if (hasPrototypeKey(body) || !(ep.name === 'cancel' ? validCancelBody : validApproveBody)(body)) return reject('an invalid body', 'LB_ERR_VALIDATION');
      return ep.name === 'cancel'
        ? accept('a well-formed cancel', 'LB_ERR_NOT_FOUND', 'LB_ERR_OPERATION_FINISHED')
        : accept('a well-formed approval', 'LB_ERR_NOT_FOUND', 'LB_ERR_APPROVAL_NOT_PENDING', 'LB_ERR_APPROVAL_SAME_ACTOR');
    case 'plans':
      return invalid(intentSchema, body) ? reject('an invalid intent', 'LB_ERR_VALIDATION') : accept('a valid intent', ...PLAN_REFUSALS);
    case 'operations.submit': {
      if (plan.idempotencyKey !== undefined && !/^[\x21-\x7e]{1,255}$/.test(plan.idempotencyKey.replace(/^[ \t]+|[ \t]+$/g, ''))) {
        return reject('an invalid Idempotency-Key', 'LB_ERR_VALIDATION');
      }
      const parsed = safeParse(operationRequestSchema, body);
      if (!parsed.success) return reject('an invalid operation request', 'LB_ERR_VALIDATION');
      if (namedRegions(parsed.data).some((r) => !MANAGED.includes(r))) return reject('a region lifeboat does not manage', 'LB_ERR_UNKNOWN_REGION');
      return accept('a valid operation request', ...SUBMIT_REFUSALS);
    }
    case 'evaluate': {
      const model = world.models.get(param('model'));
      if (!model) return reject('an unknown model', 'LB_ERR_UNKNOWN_MODEL');
      const parsed = safeParse(evaluateBodySchema, body);
      if (!parsed.success) return reject('an invalid evaluation', 'LB_ERR_VALIDATION');
      const unknown = Object.keys(parsed.data.parameters ?? {}).find((k) => !Object.hasOwn(model.parameters, k));
      if (unknown !== undefined) return reject(`model parameter ${JSON.stringify(unknown)} that ${model.name} does not declare`, 'LB_ERR_MODEL_PARAMETER');
      return accept('a valid evaluation', 'LB_ERR_MODEL_PARAMETER', 'LB_ERR_MODEL_EVALUATION', 'LB_ERR_MODEL_INPUT_MISSING');
    }
    case 'runs': {
      if (hasPrototypeKey(body) || !validRunBody(body)) return reject('an invalid run body', 'LB_ERR_VALIDATION');
      const runbook = world.runbooks.get(param('runbook'));
      if (!runbook) return reject('an unknown runbook', 'LB_ERR_UNKNOWN_RUNBOOK');
      const problem = runbookParamsProblem(runbook, (body as { params?: Record<string, string | number | boolean> }).params ?? {});
      return problem ? reject(`a run with ${problem.why}`, problem.code) : accept('a valid run');
    }
  }
}

// ---------------------------------------------------------------------------------------
// Checking an answer.

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  ms: number;
}

const STACK_TRACE = /\n\s+at |\bat [\w.<>]+ \(|\.ts:\d+|\.js:\d+:\d+|node_modules/;
const SECRETS = [...Object.values(TEST_TOKENS), TRIGGER_SECRET];

/** Every answer: JSON errors from the catalog with the catalog's status, no stack, no secret. Returns the error code, if any. */
function checkAnswerShape(answer: Answer): ErrorCode | undefined {
  expect(answer.status, 'no 5xx but /readyz').toBeLessThan(500);
  for (const secret of SECRETS) expect(answer.text.includes(secret), 'no token or secret in a body').toBe(false);
  expect(STACK_TRACE.test(answer.text), 'no stack trace in a body').toBe(false);
  if (answer.status < 400) return undefined;
  return checkErrorBody(answer);
}

/** {"error":{"code","message","hint"}}: a code from the catalog, its status, its hint. */
function checkErrorBody(answer: Answer): ErrorCode {
  expect(String(answer.headers['content-type'] ?? ''), 'errors are JSON').toMatch(/^application\/json/);
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    throw new Error(`error body is not JSON: ${answer.text.slice(0, 200)}`);
  }
  const error = (body as { error?: Record<string, unknown> } | null)?.error;
  expect(error, 'an error object').toBeTypeOf('object');
  const code = error!.code as ErrorCode;
  expect(Object.keys(ERROR_CATALOG), 'a code from the catalog').toContain(code);
  expect(answer.status, `the catalog's status for ${code}`).toBe(ERROR_CATALOG[code].status);
  expect(error!.message, 'a message').toBeTypeOf('string');
  expect((error!.message as string).length).toBeGreaterThan(0);
  // A refusal over a held region says which operation holds it and how to wait for it or cancel it;
  // every other hint is the catalog's.
  if (code === 'LB_ERR_REGION_LOCKED') expect(error!.hint, 'a hint naming the holder').toMatch(/^Wait for \S+ to finish/);
  else expect(error!.hint, "the catalog's hint").toBe(ERROR_CATALOG[code].hint);
  if (error!.details !== undefined) expect(error!.details, 'details are an object').toBeTypeOf('object');
  return code;
}

function checkAgainst(expectation: Expectation, answer: Answer, code: ErrorCode | undefined): void {
  const why = `${expectation.kind}: ${expectation.why}`;
  if (expectation.kind === 'reject') {
    expect(answer.status, why).toBeGreaterThanOrEqual(400);
    expect(expectation.codes, why).toContain(code);
    return;
  }
  if (answer.status >= 300) expect(expectation.refusals, `${why}: refused with ${code ?? answer.status}`).toContain(code);
}

// ---------------------------------------------------------------------------------------
// Generating plans.

const regionPattern = jsonSchemaOf(regionCode).pattern!;

/** Known-good values to mix in: for bodies, and (apart, since names like from/to/kind mean other things there) for query strings. */
interface Hints {
  body: ArbitraryHints;
  query: ArbitraryHints;
}

function hintsFor(world: World): Hints {
  const runbookParams = [...new Set([...world.runbooks.values()].flatMap((r) => Object.keys(r.parameters)))];
  const modelParams = [...new Set([...world.models.values()].flatMap((m) => Object.keys(m.parameters)))];
  const patterns = { [regionPattern]: [...MANAGED, ...MANAGED, 'ap-southeast-2', 'xx-nowhere-9'] };
  return {
    body: {
      patterns,
      properties: {
        service: ['api', 'api', 'worker', 'nope'],
        services: ['api'],
        model: [...world.models.keys(), 'nope'],
      },
      keys: {
        parameters: [...modelParams, 'constructor', 'toString', 'nope'],
        params: [...runbookParams, 'constructor', 'hasOwnProperty', 'nope'],
        serviceParameters: ['api', 'constructor'],
      },
    },
    query: {
      patterns,
      properties: {
        state: ['queued', 'queued,running', 'succeeded,failed,refused,cancelled', 'bogus', 'queued,,running', ' queued ', ''],
        kind: ['evacuate', 'shift,restore', 'scale,runbook', 'nope', ''],
        from: ['2026-01-01T00:00:00Z', '2026-11-24', 'yesterday', '2026-13-45T99:00:00Z', ''],
        to: ['2030-01-01T00:00:00Z', 'tomorrow', '0'],
        operation: ['op_x_0123456789ab', ''],
        actor: ['api:admin', 'runbook:game-day', ''],
        action: ['operation.submit', 'auth.denied', ''],
      },
    },
  };
}

/** Body hints that follow the path: the parameters of the runbook or model it names (and a few it does not declare). */
function hintsForParams(hints: Hints, params: Partial<Record<ParamKind, ParamValue>>, world: World): Hints {
  const runbook = params.runbook && world.runbooks.get(params.runbook.value);
  const model = params.model && world.models.get(params.model.value);
  if (!runbook && !model) return hints;
  const keys = { ...hints.body.keys };
  const declared = (names: string[]) => [...names, ...names, ...names];
  if (runbook) keys.params = [...declared(Object.keys(runbook.parameters)), 'constructor', 'hasOwnProperty', 'nope'];
  if (model) keys.parameters = [...declared(Object.keys(model.parameters)), 'constructor', 'toString', 'nope'];
  return { ...hints, body: { ...hints.body, keys } };
}

/** Evaluation vectors need one value per region; make most generated bodies say so. */
function alignVectors(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const b = { ...(body as Record<string, unknown>) };
  if (!Array.isArray(b.regions)) return b;
  const n = b.regions.length;
  for (const key of ['current', 'share', 'targetShare', 'inService', 'minSize', 'maxSize', 'capacityPerInstance', 'load', 'targetUtilization', 'loadCapacity', 'instances']) {
    const v = b[key];
    if (Array.isArray(v)) b[key] = Array.from({ length: n }, (_, i) => (i < v.length ? v[i] : (v[0] ?? 1)));
  }
  return b;
}

/** Stage percentages must increase and end at 100, and scale sizes must nest; make most generated intents do so. */
function repairIntent(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const b = { ...(body as Record<string, unknown>) };
  if (Array.isArray(b.stages)) {
    const sorted = [...new Set((b.stages as unknown[]).filter((x): x is number => typeof x === 'number' && x > 0 && x < 100))].sort((x, y) => x - y);
    b.stages = [...sorted, 100];
  }
  if (typeof b.desiredCapacity === 'number') {
    if (typeof b.minSize === 'number' && b.minSize > b.desiredCapacity) b.minSize = b.desiredCapacity;
    if (typeof b.maxSize === 'number' && b.maxSize < b.desiredCapacity) b.maxSize = b.desiredCapacity;
  }
  return b;
}

/** Valid-looking bodies for an endpoint's schema (with the refinements the JSON Schema cannot say). */
function validBodies(ep: Endpoint, hints: ArbitraryHints, runbook?: Runbook): fc.Arbitrary<unknown> {
  const base = arbitraryOf(jsonSchemaOf(ep.body!), hints);
  const repair = ep.name === 'evaluate' ? alignVectors : ep.name === 'plans' || ep.name === 'operations.submit' ? repairIntent : (v: unknown) => v;
  const fromSchema = fc.tuple(base, fc.nat(9)).map(([v, r]) => (r < 7 ? repair(v) : v));
  // A run's parameters are the runbook's: half the time, built from its declarations.
  return runbook ? fc.oneof(fromSchema, runbookParamsArb(runbook).map((params) => ({ params }))) : fromSchema;
}

/** Parameters a runbook declares, typed as it says (strings for numbers and booleans too, as a CLI sends them), sometimes with a key every object inherits. */
function runbookParamsArb(runbook: Runbook): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, spec] of Object.entries(runbook.parameters)) {
    model[key] = spec.allowed
      ? fc.constantFrom(...spec.allowed)
      : spec.type === 'number'
        ? fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 }).map(String))
        : spec.type === 'boolean'
          ? fc.oneof(fc.boolean(), fc.constantFrom('true', 'false'))
          : fc.oneof(fc.constantFrom(...MANAGED), fc.string({ maxLength: 10 }));
  }
  const required = Object.entries(runbook.parameters).filter(([, spec]) => spec.required).map(([key]) => key);
  const inherited = fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fc.constantFrom('constructor', 'hasOwnProperty', 'toString', 'valueOf', '__proto__'), weight: 1 });
  return fc.tuple(fc.record(model, { requiredKeys: required }), inherited).map(([params, key]) => (key === undefined ? params : withOwnKey({ ...params }, key, 'x')));
}

type TextMutation = 'none' | 'truncate' | 'trailing-garbage' | 'invalid-utf8' | 'bom' | 'whitespace' | 'oversize' | 'duplicate-key' | 'nul';
const textMutationArb: fc.Arbitrary<[TextMutation, number]> = fc.tuple(
  fc.oneof({ arbitrary: fc.constant('none' as const), weight: 16 }, { arbitrary: fc.constantFrom<TextMutation>('truncate', 'trailing-garbage', 'invalid-utf8', 'bom', 'whitespace', 'oversize', 'duplicate-key', 'nul'), weight: 3 }),
  fc.nat(),
);

function serialize(value: unknown, [mutation, n]: [TextMutation, number]): Body {
  const json = JSON.stringify(value) ?? 'undefined';
  const source = json.length > 300 ? `${json.slice(0, 300)}… (${json.length} chars)` : json;
  const utf8 = (s: string) => Buffer.from(s, 'utf8');
  switch (mutation) {
    case 'none':
      return { bytes: utf8(json), source };
    case 'truncate':
      return { bytes: utf8(json.slice(0, n % Math.max(1, json.length))), source: `truncated ${source}` };
    case 'trailing-garbage':
      return { bytes: utf8(`${json}${['}', ',', ']', 'x', ' {}', '\u0000'][n % 6]}`), source: `${source} + garbage` };
    case 'invalid-utf8': {
      const bytes = utf8(json);
      const at = n % (bytes.length + 1);
      return { bytes: Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff, 0xfe, 0xc3]), bytes.subarray(at)]), source: `invalid UTF-8 in ${source}` };
    }
    case 'bom':
      return { bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(json)]), source: `BOM + ${source}` };
    case 'whitespace':
      return { bytes: utf8(` \n\t${json}\r\n `), source: `padded ${source}` };
    case 'oversize':
      return { bytes: utf8(json + ' '.repeat(BODY_LIMIT_BYTES + 1 - Math.min(json.length, BODY_LIMIT_BYTES))), source: `${source} padded over 64 kB` };
    case 'duplicate-key':
      return { bytes: utf8(json.replace(/^\{"([^"]+)":/, (_m, k: string) => `{"${k}":"first","${k}":`)), source: `duplicate key in ${source}` };
    case 'nul':
      return { bytes: utf8(json.replace(/"$|"(?=[,}\]])/, '\\u0000"')), source: `NUL in ${source}` };
  }
}

/** Nesting too deep to build as a value (JSON.stringify would overflow the stack): written as text. */
const deepText: fc.Arbitrary<Body> = fc.tuple(fc.integer({ min: 2000, max: 12000 }), fc.constantFrom('array', 'object', 'field')).map(([depth, how]) => {
  const nest = how === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  const text = how === 'field' ? `{"kind":"evacuate","region":"us-east-1","reason":${nest}}` : nest;
  return { bytes: Buffer.from(text), source: `${how} nested ${depth} deep` };
});

const bodyArbs = new Map<string, fc.Arbitrary<Body>>();

/** Bodies for an endpoint, built once per endpoint and path parameter (building them is not free). */
function bodyArbFor(ep: Endpoint, params: Partial<Record<ParamKind, ParamValue>>, hints: Hints, world: World, kind: 'any' | 'valid' = 'any'): fc.Arbitrary<Body> {
  const known = (name: string | undefined, names: ReadonlyMap<string, unknown>) => (name !== undefined && names.has(name) ? name : '');
  const key = `${kind} ${ep.name} ${known(params.runbook?.value, world.runbooks)} ${known(params.model?.value, world.models)}`;
  let arb = bodyArbs.get(key);
  if (!arb) {
    const h = hintsForParams(hints, params, world);
    const runbook = params.runbook ? world.runbooks.get(params.runbook.value) : undefined;
    arb = kind === 'valid' ? validBodies(ep, h.body, runbook).map((v) => serialize(v, ['none', 0])) : bodyArb(ep, h, runbook);
    bodyArbs.set(key, arb);
  }
  return arb;
}

function bodyArb(ep: Endpoint, hints: Hints, runbook?: Runbook): fc.Arbitrary<Body> {
  const none = fc.constant<Body>({ bytes: Buffer.alloc(0), source: '(none)' });
  const rawBytes = fc.uint8Array({ maxLength: 64 }).map((b) => ({ bytes: Buffer.from(b), source: `bytes ${Buffer.from(b).toString('hex')}` }));
  const texts = fc.constantFrom('{', '}', '[', '{"a":', 'null', 'true', '0', '"x"', '{}', '[]', ' ', 'NaN', '{"a":1}{"b":2}', "{'a':1}", '{"a":Infinity}').map((t) => ({ bytes: Buffer.from(t), source: t }));
  if (!ep.body || ep.method === 'GET') {
    return fc.oneof({ arbitrary: none, weight: 8 }, { arbitrary: fc.tuple(notAnObject, textMutationArb).map(([v, m]) => serialize(v, m)), weight: 1 }, { arbitrary: texts, weight: 1 }, { arbitrary: deepText, weight: 1 });
  }
  const valid = validBodies(ep, hints.body, runbook);
  const value = fc.oneof(
    { arbitrary: valid, weight: 6 },
    { arbitrary: mutationsOf(valid), weight: 4 },
    { arbitrary: notAnObject, weight: 1 },
    { arbitrary: fc.constant({}), weight: 1 },
  );
  return fc.oneof(
    { arbitrary: fc.tuple(value, textMutationArb).map(([v, m]) => serialize(v, m)), weight: 14 },
    { arbitrary: none, weight: 1 },
    { arbitrary: rawBytes, weight: 1 },
    { arbitrary: texts, weight: 1 },
    { arbitrary: deepText, weight: 1 },
  );
}

function paramArb(kind: ParamKind, world: World, existing: { op: string; run: string }): fc.Arbitrary<ParamValue> {
  const odd = ['..', '.', '__proto__', 'constructor', 'toString', ' ', 'a/b', 'a?b', 'a#b', '\u00e9', '\u{1f6df}', '\u0000', '%', '%2F', 'null', 'undefined', '[object Object]'];
  const values: Record<ParamKind, fc.Arbitrary<string>> = {
    id: fc.oneof(
      { arbitrary: fc.constantFrom(existing.op, existing.run, 'op_x_0123456789ab', 'run_x_0123456789ab', `op_${'a'.repeat(200)}`, `op_${'a'.repeat(201)}`, 'op_', 'OP_x_1', 'op_x/1', 'op_\u00e9'), weight: 4 },
      { arbitrary: fc.stringMatching(/^(op|run)_[A-Za-z0-9_.-]{1,30}$/), weight: 2 },
      { arbitrary: fc.constantFrom(...odd), weight: 1 },
      { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }), weight: 1 },
    ),
    model: fc.oneof(
      { arbitrary: fc.constantFrom(...world.models.keys()), weight: 5 },
      { arbitrary: fc.constantFrom('PROPORTIONAL', 'proportional ', 'nope', ...odd), weight: 2 },
      { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }), weight: 1 },
    ),
    runbook: fc.oneof(
      { arbitrary: fc.constantFrom(...world.runbooks.keys()), weight: 5 },
      { arbitrary: fc.constantFrom('READINESS-REPORT', 'nope', ...odd), weight: 2 },
      { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }), weight: 1 },
    ),
  };
  return fc.record({
    value: values[kind],
    malformed: fc.oneof({ arbitrary: fc.constant('' as const), weight: 12 }, { arbitrary: fc.constantFrom('%' as const, '%zz' as const, '%E0%A4%A' as const), weight: 1 }),
  });
}

/** Query strings: from the query schema, then repeated, unknown, hostile or broken parameters. */
function queryArb(ep: Endpoint, hints: Hints): fc.Arbitrary<string | undefined> {
  const enc = encodeURIComponent;
  const pairsOf = (v: unknown): Array<[string, string]> =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x) ?? '']) : [];
  const valid = ep.query ? arbitraryOf(jsonSchemaOf(ep.query), hints.query).map(pairsOf) : fc.constant<Array<[string, string]>>([]);
  const extra = fc.oneof(
    fc.tuple(fc.constantFrom(...HOSTILE_KEYS, 'limit', 'state', 'refresh', 'from', 'extra', 'a[b]', 'a.b'), fc.oneof(fc.constantFrom('', 'x', '1', '-1', '1e2', '0x10', 'true', 'Infinity', ' 5 '), fc.string({ maxLength: 10 }))),
    fc.tuple(fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 })),
  );
  const mutated = fc.tuple(valid, fc.array(extra, { maxLength: 3 }), fc.boolean(), fc.nat()).map(([pairs, more, repeat, n]) => {
    const all: Array<[string, string]> = [...pairs, ...more];
    if (repeat && all.length > 0) all.push(all[n % all.length]!);
    return all;
  });
  const raw = fc.constantFrom('', '&', '&&limit=5', 'limit', 'limit=5&limit=6', 'state=%zz', '%', '=x', 'limit=5#frag', 'state=queued+running', `x=${'y'.repeat(3000)}`);
  return fc.oneof(
    { arbitrary: fc.constant(undefined), weight: ep.query ? 1 : 6 },
    { arbitrary: valid.map((pairs) => pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')), weight: ep.query ? 4 : 0 },
    { arbitrary: mutated.map((pairs) => pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')), weight: ep.query ? 4 : 1 },
    { arbitrary: raw, weight: 1 },
  );
}

const idempotencyKeyArb: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 6 },
  { arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,40}$/), weight: 2 },
  { arbitrary: fc.constantFrom('', ' ', 'a b', ' padded\t', 'caf\u00e9', 'k'.repeat(255), 'k'.repeat(256), 'fuzz-key-1', '\u00ff'), weight: 2 },
);

const requestIdArb: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 6 },
  { arbitrary: fc.constantFrom('req-1.2_3', 'r'.repeat(128), 'r'.repeat(129), '<script>', 'a b', '', '\u00e9', '../../etc'), weight: 1 },
);

function planArb(ep: Endpoint, world: World, hints: Hints, existing: { op: string; run: string }): fc.Arbitrary<RequestPlan> {
  const paramKinds = ep.segments.filter((s) => s.startsWith(':')).map((s) => s.slice(1) as ParamKind);
  const params = fc.record(Object.fromEntries(paramKinds.map((k) => [k, paramArb(k, world, existing)])) as Record<ParamKind, fc.Arbitrary<ParamValue>>);
  const sameTemplate = ENDPOINTS.filter((e) => e.segments.join('/') === ep.segments.join('/')).map((e) => e.method as string);
  const otherMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].filter((m) => !sameTemplate.includes(m));
  const enc = encodeURIComponent;
  const validQuery = ep.query ? arbitraryOf(jsonSchemaOf(ep.query), hints.query).map((v) => Object.entries(v as Record<string, unknown>).map(([k, x]) => `${enc(k)}=${enc(String(x))}`).join('&')) : fc.constant(undefined);
  return params.chain((chosen) =>
    fc.record({
      // A third of the cases are clean but for the body's content: they get past the headers and reach the handlers.
      clean: fc.oneof({ arbitrary: fc.constant(true), weight: 1 }, { arbitrary: fc.constant(false), weight: 2 }),
      cleanBody: ep.body && ep.method === 'POST' ? bodyArbFor(ep, chosen, hints, world, 'valid') : fc.constant(undefined),
      cleanQuery: validQuery,
      params: fc.constant(chosen),
      method: fc.oneof({ arbitrary: fc.constant(undefined), weight: 16 }, { arbitrary: fc.constantFrom(...otherMethods), weight: 1 }),
      decoration: decorationArb,
      query: queryArb(ep, hints),
      auth: authArb,
      contentType: ctArb,
      chunked: fc.oneof({ arbitrary: fc.constant(false), weight: 9 }, { arbitrary: fc.constant(true), weight: 1 }),
      body: bodyArbFor(ep, chosen, hints, world),
      idempotencyKey: ep.name === 'operations.submit' ? idempotencyKeyArb : fc.constant(undefined),
      requestId: requestIdArb,
      accept: fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, { arbitrary: fc.constantFrom('text/plain', '*/*', 'application/xml', 'text/html;q=0.9, */*;q=0.1', '\u00e9'), weight: 1 }),
      trigger:
        ep.name === 'trigger'
          ? fc.record({
              timestamp: fc.oneof({ arbitrary: fc.constantFrom('now' as const, 'recent' as const), weight: 4 }, { arbitrary: fc.constantFrom('stale' as const, 'future' as const, 'garbage' as const, 'none' as const), weight: 1 }),
              signature: fc.oneof({ arbitrary: fc.constant('valid' as const), weight: 4 }, { arbitrary: fc.constantFrom('none' as const, 'wrong' as const, 'uppercase' as const, 'no-prefix' as const, 'other-body' as const), weight: 1 }),
              source: fc.option(fc.constantFrom('alarm', 'cloudwatch.high-errors', 'a b', '\u00e9', 'x'.repeat(100)), { nil: undefined }),
            })
          : fc.constant(undefined),
    }),
  ).map((r) => {
      const plan: RequestPlan = { endpoint: ep.name, params: r.params, decoration: r.decoration, auth: r.auth, contentType: r.contentType, chunked: r.chunked, body: r.body };
      // A parameter with a broken escape under another method would be decoded by routes that do not answer it; keep those apart.
      if (r.method !== undefined && !Object.values(r.params).some((p) => p.malformed !== '')) plan.method = r.method;
      if (r.query !== undefined) plan.query = r.query;
      if (r.idempotencyKey !== undefined) plan.idempotencyKey = r.idempotencyKey;
      if (r.requestId !== undefined) plan.requestId = r.requestId;
      if (r.accept !== undefined) plan.accept = r.accept;
      if (r.trigger !== undefined) plan.trigger = r.trigger;
      if (r.clean) {
        Object.assign(plan, { auth: AUTH_VARIANTS[0]!, contentType: CONTENT_TYPES[0]!, decoration: 'none', chunked: false });
        delete plan.method;
        plan.params = Object.fromEntries(Object.entries(plan.params).map(([k, v]) => [k, { ...v, malformed: '' as const }]));
        if (r.cleanBody) plan.body = r.cleanBody;
        if (r.cleanQuery !== undefined) plan.query = r.cleanQuery;
        if (plan.trigger) plan.trigger = { ...plan.trigger, signature: 'valid', timestamp: 'now' };
      }
      return plan;
    });
}

// ---------------------------------------------------------------------------------------
// Sending.

const agent: HttpAgent = new Agent({ keepAlive: true, maxSockets: 1 });

function send(url: string, built: Built): Promise<Answer> {
  const { hostname, port } = new URL(url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method: built.method, path: built.path, headers: built.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (built.chunked && built.body.length > 0) req.write(built.body);
    req.end(built.chunked ? undefined : built.body);
  });
}

function describePlan(plan: RequestPlan, built: Built): string {
  const headers = Object.entries(built.headers)
    .map(([k, v]) => `${k}: ${JSON.stringify(k === 'authorization' ? plan.auth.label : v)}`)
    .join(', ');
  return `${built.method} ${built.path.length > 300 ? `${built.path.slice(0, 300)}…` : built.path}\n  headers: ${headers}\n  body: ${plan.body.source}`;
}

// ---------------------------------------------------------------------------------------

const reading = () =>
  fleetReading([
    {
      name: 'api',
      dns: 'api.example.com',
      capacityPerInstance: 100,
      regions: {
        'us-east-1': { desired: 4, min: 1, max: 16, weight: 100 },
        'us-west-2': { desired: 4, min: 1, max: 16, weight: 100 },
        'eu-west-1': { desired: 4, min: 1, max: 16, weight: 100 },
      },
    },
    {
      name: 'worker',
      regions: { 'us-east-1': { desired: 2, max: 6 }, 'us-west-2': { desired: 2, max: 6 }, 'eu-west-1': { desired: 2, max: 6 } },
    },
  ]);

let lb: TestLifeboat;
let api: TestApi;
let cloud: DryRunCloud;
let world: World;
let hints: Hints;
const existing = { op: '', run: '' };
const tally = { cases: 0, rejected: 0, accepted: 0, refused: 0, started: 0, statuses: new Map<number, number>() };

async function jobCounts(): Promise<{ operations: number; runs: number }> {
  const sum = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
  const [ops, runs] = await Promise.all([lb.deps.queue.queue.getJobCounts(), lb.deps.runs.queue.getJobCounts()]);
  return { operations: sum(ops), runs: sum(runs) };
}

beforeAll(async () => {
  cloud = new DryRunCloud(reading());
  lb = testLifeboat(cloud, { LIFEBOAT_TRIGGER_SECRET: TRIGGER_SECRET, LIFEBOAT_TRIGGER_MIN_INTERVAL: '1' });
  // No worker: nothing queued ever runs, so the job counts move only when the API queues.
  if (lb.redis.status !== 'ready') await new Promise((resolve) => lb.redis.once('ready', resolve));
  api = await startApi(lb);
  world = { models: lb.deps.models, runbooks: lb.deps.runbooks };
  hints = hintsFor(world);
  const op = await submitOperation({ kind: 'scale', region: 'us-west-2', service: 'worker', desiredCapacity: 3 }, { actor: 'api:admin' }, lb.deps);
  existing.op = op.dryRun ? '' : op.operation.id;
  existing.run = (await startRun('readiness-report', {}, { actor: 'api:operator' }, lb.deps)).id;
});

afterAll(async () => {
  agent.destroy();
  await api?.close();
  await lb?.close();
  if (tally.cases > 0) {
    const statuses = [...tally.statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
    console.log(`api fuzz: ${tally.cases} requests (${tally.rejected} invalid, ${tally.accepted} valid: ${tally.refused} refused, ${tally.started} started something); statuses ${statuses}`);
  }
});

/** One generated request, end to end: send, check the answer, check nothing started unless it should. */
async function runCase(plan: RequestPlan): Promise<void> {
  const built = build(plan, Math.floor(Date.now() / 1000));
  const expectation = predict(plan, world);
  const before = await jobCounts();
  if (process.env.FUZZ_DEBUG_LOG) appendFileSync(process.env.FUZZ_DEBUG_LOG, `${describePlan(plan, built)}\n`);
  const answer = await send(api.url, built);
  const after = await jobCounts();
  tally.cases++;
  tally.statuses.set(answer.status, (tally.statuses.get(answer.status) ?? 0) + 1);
  if (process.env.FUZZ_DEBUG_SLOW && answer.ms > Number(process.env.FUZZ_DEBUG_SLOW)) console.log(`SLOW ${Math.round(answer.ms)} ms: ${describePlan(plan, built)}\n  got ${answer.status} ${answer.text.slice(0, 200)}`);
  try {
    const code = checkAnswerShape(answer);
    checkAgainst(expectation, answer, code);
    expect(cloud.calls, 'the API never calls AWS itself (no worker runs)').toEqual([]);
    const requestId = String(answer.headers['x-request-id'] ?? '');
    expect(requestId, 'a safe request id').toMatch(/^[\w.-]{1,128}$/);
    const sentId = plan.requestId?.trim();
    if (sentId !== undefined && /^[\w.-]{1,128}$/.test(sentId)) expect(requestId).toBe(sentId);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    const started = after.operations !== before.operations || after.runs !== before.runs;
    if (expectation.kind !== 'accept' || answer.status >= 300) expect({ started: after, status: answer.status }, 'a refused or invalid request starts nothing').toEqual({ started: before, status: answer.status });
    if (expectation.kind === 'reject') tally.rejected++;
    else {
      tally.accepted++;
      if (answer.status >= 300) tally.refused++;
      if (started) tally.started++;
    }
  } catch (e) {
    const detail = `${describePlan(plan, built)}\n  expected: ${JSON.stringify(expectation)}\n  got: ${answer.status} ${answer.text.slice(0, 500)}`;
    throw new Error(`${(e as Error).message}\n${detail}`);
  }
}

/** Cases per endpoint: bodies get the most, plain reads the fewest. */
const RUNS: Record<EndpointName, number> = {
  healthz: 60,
  readyz: 60,
  fleet: 80,
  models: 60,
  model: 120,
  evaluate: 400,
  runbooks: 60,
  runbook: 120,
  runs: 300,
  trigger: 250,
  readiness: 120,
  audit: 200,
  'operations.list': 200,
  'operations.get': 150,
  'operations.submit': 500,
  cancel: 200,
  approve: 200,
  plans: 400,
};

describe('API fuzzing: generated and mutated requests at every endpoint', () => {
  ENDPOINTS.forEach((ep, i) => {
    it(`${ep.method} /${ep.segments.join('/')}: never a 5xx, errors from the catalog, invalid input starts nothing`, async () => {
      await fc.assert(
        fc.asyncProperty(
          planArb(ep, world, hints, existing),
          (plan) => runCase(plan),
        ),
        { seed: SEED + i, numRuns: Math.max(1, Math.round(RUNS[ep.name] * RUN_SCALE)), endOnFailure: true },
      );
    }, 120_000);
  });

  it('unknown routes and methods: a JSON 404 once authenticated, never a 5xx', async () => {
    // Served without a token elsewhere (the dashboard, its session): not unknown, and not fuzzed here.
    const known = new Set(['healthz', 'readyz', 'v1', 'dashboard']);
    const firstSegments = new Set([...ENDPOINTS.map((e) => e.segments[1]).filter((s): s is string => !!s), 'session']);
    const randomUnderV1 = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).filter((s) => !firstSegments.has(s.toLowerCase()) && s !== '.' && s !== '..').map((s) => `/v1/${encodeURIComponent(s)}`);
    const randomAtRoot = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).filter((s) => !known.has(s.toLowerCase()) && s !== '.' && s !== '..').map((s) => `/${encodeURIComponent(s)}`);
    const curated = fc.constantFrom(
      '/v1',
      '/v1/',
      '/v2/operations',
      '/v1x/operations',
      '//v1/fleet',
      '/v1//fleet',
      '/v1/./fleet',
      '/v1/fleet/..',
      '/v1/fleet/x',
      '/v1/fleet;x',
      '/v1/fleet%2F',
      '/v1/plans/x',
      '/v1/audit/x',
      '/v1/readiness/x',
      '/v1/models/proportional/x',
      '/v1/models/proportional/evaluate/x',
      '/v1/runbooks/readiness-report/x',
      '/v1/runbooks/readiness-report/runs/x',
      '/v1/operations/op_x_1/x',
      '/v1/operations/op_x_1/cancel/x',
      '/v1/operations/op_x_1/approve/x',
      '/v1/%zz',
      '/v1/operations%00',
      '/healthz/x',
      '/readyz/x',
      '/.env',
      '/admin',
      '/__proto__',
      '/v1/__proto__',
      '/v1/constructor',
    );
    const pathArb = fc.oneof({ arbitrary: curated, weight: 3 }, { arbitrary: randomUnderV1, weight: 2 }, { arbitrary: randomAtRoot, weight: 1 });
    const methodArb = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE');
    await fc.assert(
      fc.asyncProperty(pathArb, methodArb, authArb, ctArb, bodyArb(endpointNamed('plans'), hints), async (path, method, auth, contentType, body) => {
        const plan: RequestPlan = { endpoint: 'fleet', params: {}, decoration: 'none', auth, contentType, chunked: false, body };
        const built: Built = { method, path, headers: {}, body: body.bytes, chunked: false };
        if (auth.header !== undefined) built.headers.authorization = auth.header;
        if (contentType.value !== undefined) built.headers['content-type'] = contentType.value;
        built.headers['content-length'] = String(body.bytes.length);
        let expectation: Expectation;
        if (!auth.roles) expectation = reject('unauthenticated', 'LB_ERR_UNAUTHENTICATED');
        else if (!hasRole(auth.roles, roleNeeded(method, path))) expectation = reject('role', 'LB_ERR_FORBIDDEN');
        else {
          const parsed = /^\/v1(\/|$)/i.test(path) ? parsedBody(plan, true) : { value: {} };
          expectation = 'refuse' in parsed ? parsed.refuse : reject('no such route', 'LB_ERR_NOT_FOUND');
        }
        const before = await jobCounts();
        const answer = await send(api.url, built);
        const after = await jobCounts();
        tally.cases++;
        tally.rejected++;
        tally.statuses.set(answer.status, (tally.statuses.get(answer.status) ?? 0) + 1);
        try {
          const code = checkAnswerShape(answer);
          checkAgainst(expectation, answer, code);
          expect(after).toEqual(before);
          expect(cloud.calls).toEqual([]);
        } catch (e) {
          throw new Error(`${(e as Error).message}\n${describePlan(plan, built)}\n  expected: ${JSON.stringify(expectation)}\n  got: ${answer.status} ${answer.text.slice(0, 500)}`);
        }
      }),
      { seed: SEED + ENDPOINTS.length, numRuns: Math.max(1, Math.round(300 * RUN_SCALE)), endOnFailure: true },
    );
  }, 120_000);
});

/**
 * Requests a person wrote, at least one per route, with the answer the contract (docs/api.md)
 * promises: a fixed point the generated cases cannot drift away from together with the routes.
 */
interface WrittenCase {
  route: EndpointName;
  method: 'GET' | 'POST';
  path: string | (() => string);
  body?: unknown;
  headers?: Record<string, string>;
  /** 2xx status, or the error code (its status is the catalog's). */
  expect: number | ErrorCode;
}

const WRITTEN: WrittenCase[] = [
  { route: 'healthz', method: 'GET', path: '/healthz', expect: 200 },
  { route: 'readyz', method: 'GET', path: '/readyz', expect: 200 },
  { route: 'fleet', method: 'GET', path: '/v1/fleet', expect: 200 },
  { route: 'models', method: 'GET', path: '/v1/models', expect: 200 },
  { route: 'model', method: 'GET', path: '/v1/models/proportional', expect: 200 },
  { route: 'model', method: 'GET', path: '/v1/models/no-such-model', expect: 'LB_ERR_UNKNOWN_MODEL' },
  { route: 'evaluate', method: 'POST', path: '/v1/models/proportional/evaluate', body: { regions: ['us-east-1', 'us-west-2'], current: [4, 4], share: [0.5, 0.5], targetShare: [0, 1] }, expect: 200 },
  { route: 'evaluate', method: 'POST', path: '/v1/models/proportional/evaluate', body: { regions: 'us-east-1', current: [4], share: [1], targetShare: [1] }, expect: 'LB_ERR_VALIDATION' },
  { route: 'evaluate', method: 'POST', path: '/v1/models/proportional/evaluate', body: { regions: ['us-east-1'], current: [4], share: [1], targetShare: [1], parameters: { warp: 9 } }, expect: 'LB_ERR_MODEL_PARAMETER' },
  { route: 'runbooks', method: 'GET', path: '/v1/runbooks', expect: 200 },
  { route: 'runbook', method: 'GET', path: '/v1/runbooks/readiness-report', expect: 200 },
  { route: 'runbook', method: 'GET', path: '/v1/runbooks/no-such-runbook', expect: 'LB_ERR_UNKNOWN_RUNBOOK' },
  { route: 'runs', method: 'POST', path: '/v1/runbooks/readiness-report/runs', body: { params: { failWhenNotReady: false } }, expect: 202 },
  { route: 'runs', method: 'POST', path: '/v1/runbooks/readiness-report/runs', body: { params: { failWhenNotReady: [false] } }, expect: 'LB_ERR_VALIDATION' },
  { route: 'runs', method: 'POST', path: '/v1/runbooks/no-such-runbook/runs', body: {}, expect: 'LB_ERR_UNKNOWN_RUNBOOK' },
  { route: 'trigger', method: 'POST', path: '/v1/runbooks/readiness-report/trigger', body: { params: {} }, headers: { authorization: '' }, expect: 'LB_ERR_TRIGGER_SIGNATURE' },
  { route: 'readiness', method: 'GET', path: '/v1/readiness', expect: 200 },
  { route: 'readiness', method: 'GET', path: '/v1/readiness?refresh=maybe', expect: 'LB_ERR_VALIDATION' },
  { route: 'audit', method: 'GET', path: '/v1/audit?region=us-east-1&limit=10', expect: 200 },
  { route: 'audit', method: 'GET', path: '/v1/audit?limit=0', expect: 'LB_ERR_VALIDATION' },
  { route: 'audit', method: 'GET', path: '/v1/audit?from=yesterday', expect: 'LB_ERR_VALIDATION' },
  { route: 'operations.list', method: 'GET', path: '/v1/operations?state=queued,running&kind=scale&limit=5', expect: 200 },
  { route: 'operations.list', method: 'GET', path: '/v1/operations?state=sleeping', expect: 'LB_ERR_VALIDATION' },
  { route: 'operations.list', method: 'GET', path: '/v1/operations?limit=501', expect: 'LB_ERR_VALIDATION' },
  { route: 'operations.get', method: 'GET', path: () => `/v1/operations/${existing.op}`, expect: 200 },
  { route: 'operations.get', method: 'GET', path: '/v1/operations/op_nosuch_000000', expect: 'LB_ERR_NOT_FOUND' },
  { route: 'operations.get', method: 'GET', path: '/v1/operations/not-an-id', expect: 'LB_ERR_VALIDATION' },
  { route: 'operations.submit', method: 'POST', path: '/v1/operations', body: { kind: 'evacuate', region: 'us-east-1', dryRun: true }, expect: 200 },
  { route: 'operations.submit', method: 'POST', path: '/v1/operations', body: { kind: 'evacuate', region: 'Mars' }, expect: 'LB_ERR_VALIDATION' },
  { route: 'operations.submit', method: 'POST', path: '/v1/operations', body: { kind: 'evacuate', region: 'ap-south-1' }, expect: 'LB_ERR_UNKNOWN_REGION' },
  { route: 'operations.submit', method: 'POST', path: '/v1/operations', body: { kind: 'restore', region: 'eu-west-1' }, expect: 'LB_ERR_REGION_NOT_EVACUATED' },
  { route: 'cancel', method: 'POST', path: '/v1/operations/op_nosuch_000000/cancel', body: {}, expect: 'LB_ERR_NOT_FOUND' },
  { route: 'cancel', method: 'POST', path: '/v1/operations/op_nosuch_000000/cancel', body: { rollback: 'yes' }, expect: 'LB_ERR_VALIDATION' },
  { route: 'approve', method: 'POST', path: () => `/v1/operations/${existing.op}/approve`, body: {}, expect: 'LB_ERR_APPROVAL_NOT_PENDING' },
  { route: 'approve', method: 'POST', path: () => `/v1/operations/${existing.op}/approve`, body: { decision: 'maybe' }, expect: 'LB_ERR_VALIDATION' },
  { route: 'plans', method: 'POST', path: '/v1/plans', body: { kind: 'evacuate', region: 'us-east-1' }, expect: 200 },
  { route: 'plans', method: 'POST', path: '/v1/plans', body: { kind: 'teleport', region: 'us-east-1' }, expect: 'LB_ERR_VALIDATION' },
];

describe('requests a person wrote, at least one per route', () => {
  it('covers every route the fuzzing covers', () => {
    expect(new Set(WRITTEN.map((c) => c.route))).toEqual(new Set(ENDPOINTS.map((e) => e.name)));
  });

  it.each(WRITTEN.map((c) => [`${c.method} ${typeof c.path === 'string' ? c.path : c.route}`, c] as const))('%s', async (_name, c) => {
    const path = typeof c.path === 'string' ? c.path : c.path();
    const res = await api.call(c.method, path, { ...(c.body !== undefined ? { body: c.body } : {}), ...(c.headers ? { headers: c.headers } : {}) });
    if (typeof c.expect === 'number') expect(res.status, res.text).toBe(c.expect);
    else {
      expect(res.body?.error?.code, res.text).toBe(c.expect);
      expect(res.status).toBe(ERROR_CATALOG[c.expect].status);
    }
  });
});

describe('what the fuzzing found stays fixed', () => {
  const as = (who: keyof typeof TEST_TOKENS) => ({ authorization: bearer(who) });

  it('an operator cannot approve through a path that differs only in case or a trailing slash', async () => {
    for (const path of [`/v1/operations/${existing.run}/approve/`, `/V1/OPERATIONS/${existing.run}/APPROVE`, `/v1/operations/${existing.run}/Approve//`]) {
      const res = await api.call('POST', path, { body: {}, headers: as('operator') });
      expect(res.status, path).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'LB_ERR_FORBIDDEN', details: { needed: 'approver' } });
    }
  });

  it('a runbook parameter named like an Object.prototype member is an unknown parameter, and starts nothing', async () => {
    const before = await jobCounts();
    for (const key of ['constructor', 'hasOwnProperty', 'toString']) {
      const res = await api.call('POST', '/v1/runbooks/readiness-report/runs', { body: { params: { [key]: 'x' } } });
      expect(res.status, key).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'LB_ERR_VALIDATION', details: { field: `params.${key}` } });
    }
    expect(await jobCounts()).toEqual(before);
  });

  it('a model parameter named like an Object.prototype member is refused, not ignored', async () => {
    const body = { regions: ['us-east-1'], current: [4], share: [1], targetShare: [1], parameters: { toString: 1 } };
    const res = await api.call('POST', '/v1/models/proportional/evaluate', { body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'LB_ERR_MODEL_PARAMETER', details: { parameter: 'toString' } });
  });

  it('an Erlang C load no fleet could carry is refused at once instead of counting servers for hours', async () => {
    const body = { regions: ['us-east-1'], current: [4], share: [1], targetShare: [1], capacityPerInstance: [1], parameters: { demand: 1e12 } };
    // At once: answered within the test's timeout, where counting servers would take hours.
    const res = await api.call('POST', '/v1/models/erlang-c/evaluate', { body });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('LB_ERR_MODEL_EVALUATION');
  });
});

describe('the fuzzing oracle and checks can fail', () => {
  const plan = (ep: EndpointName, body: unknown, over: Partial<RequestPlan> = {}): RequestPlan => ({
    endpoint: ep,
    params: { id: { value: 'op_x_0123456789ab', malformed: '' }, runbook: { value: 'readiness-report', malformed: '' }, model: { value: 'proportional', malformed: '' } },
    decoration: 'none',
    auth: AUTH_VARIANTS[0]!,
    contentType: CONTENT_TYPES[0]!,
    chunked: false,
    body: { bytes: Buffer.from(JSON.stringify(body)), source: '' },
    ...over,
  });

  it('classifies bodies known to be invalid as invalid, and a valid one as valid', () => {
    expect(predict(plan('operations.submit', { kind: 'evacuate' }), world)).toMatchObject({ kind: 'reject', codes: ['LB_ERR_VALIDATION'] });
    expect(predict(plan('operations.submit', { kind: 'evacuate', region: 'us-east-1', extra: 1 }), world)).toMatchObject({ kind: 'reject' });
    expect(predict(plan('operations.submit', { kind: 'evacuate', region: 'ap-south-1' }), world)).toMatchObject({ kind: 'reject', codes: ['LB_ERR_UNKNOWN_REGION'] });
    expect(predict(plan('runs', { params: { constructor: 'x' } }), world)).toMatchObject({ kind: 'reject', codes: ['LB_ERR_VALIDATION'] });
    expect(predict(plan('evaluate', { regions: ['us-east-1'], current: [1], share: [1], targetShare: [1], parameters: { toString: 1 } }), world)).toMatchObject({ kind: 'reject', codes: ['LB_ERR_MODEL_PARAMETER'] });
    expect(predict(plan('cancel', { rollback: 'yes' }), world)).toMatchObject({ kind: 'reject' });
    expect(predict(plan('plans', null), world)).toMatchObject({ kind: 'reject', codes: ['LB_ERR_MALFORMED_JSON'] });
    expect(predict(plan('plans', deeplyNested(50, false)), world)).toMatchObject({ kind: 'reject', codes: ['LB_ERR_VALIDATION'] });
    expect(predict(plan('plans', { kind: 'evacuate', region: 'us-east-1' }, { contentType: { value: 'text/plain', cls: 'not-json' } }), world)).toMatchObject({ kind: 'reject', codes: ['LB_ERR_UNSUPPORTED_MEDIA_TYPE'] });
    expect(predict(plan('approve', {}, { auth: AUTH_VARIANTS.find((a) => a.label === 'operator')!, decoration: 'trailing-slash' }), world)).toMatchObject({ kind: 'reject', codes: ['LB_ERR_FORBIDDEN'] });
    expect(predict(plan('plans', {}, { auth: AUTH_VARIANTS.find((a) => a.label === 'lowercase scheme')! }), world)).toMatchObject({ kind: 'reject', codes: ['LB_ERR_UNAUTHENTICATED'] });
    expect(predict(plan('operations.submit', { kind: 'scale', region: 'us-west-2', service: 'api', desiredCapacity: 5, dryRun: true }), world)).toMatchObject({ kind: 'accept' });
    expect(predict(plan('runs', { params: { webhook: '' } }), world)).toMatchObject({ kind: 'accept' });
  });

  it('the answer checks reject a plain-text 500, a stack trace, a status that is not the catalog one and an unknown code', () => {
    const answer = (status: number, text: string, type = 'application/json; charset=utf-8'): Answer => ({ status, headers: { 'content-type': type }, text, ms: 1 });
    const ok = JSON.stringify({ error: { code: 'LB_ERR_VALIDATION', message: 'kind: required', hint: ERROR_CATALOG.LB_ERR_VALIDATION.hint } });
    expect(checkAnswerShape(answer(400, ok))).toBe('LB_ERR_VALIDATION');
    expect(() => checkAnswerShape(answer(500, 'Internal Server Error', 'text/plain'))).toThrow();
    expect(() => checkErrorBody(answer(500, 'Internal Server Error', 'text/plain'))).toThrow();
    expect(() => checkAnswerShape(answer(400, 'Bad Request', 'text/html'))).toThrow();
    expect(() => checkAnswerShape(answer(409, ok))).toThrow();
    expect(() => checkAnswerShape(answer(400, ok.replace('LB_ERR_VALIDATION', 'LB_ERR_NOPE')))).toThrow();
    expect(() => checkAnswerShape(answer(400, JSON.stringify({ error: { code: 'LB_ERR_VALIDATION', message: 'x' } })))).toThrow();
    expect(() => checkAnswerShape(answer(200, '{"x":"TypeError: boom\\n    at Object.<anonymous> (/app/src/x.ts:10:5)"}'))).toThrow();
    expect(() => checkAnswerShape(answer(200, `{"token":"${TEST_TOKENS.admin}"}`))).toThrow();
    expect(() => checkAgainst(reject('bad', 'LB_ERR_VALIDATION'), answer(202, '{}'), undefined)).toThrow();
    expect(() => checkAgainst(accept('good'), answer(400, ok), 'LB_ERR_VALIDATION')).toThrow();
  });

  it('generates mostly schema-valid values, and mutations that mostly are not', () => {
    for (const ep of ENDPOINTS.filter((e) => e.body && e.name !== 'trigger')) {
      const values = fc.sample(validBodies(ep, hints.body), { seed: SEED, numRuns: 300 });
      const validShare = values.filter((v) => ep.body!.safeParse(v).success).length / values.length;
      expect(validShare, `valid share of generated ${ep.name} bodies`).toBeGreaterThan(0.5);
    }
    for (const schema of [auditQuerySchema, listQuerySchema, readinessQuerySchema]) {
      const values = fc.sample(arbitraryOf(jsonSchemaOf(schema), hints.query), { seed: SEED, numRuns: 200 });
      expect(values.filter((v) => schema.safeParse(v).success).length / values.length).toBeGreaterThan(0.2);
    }
    const mutated = fc.sample(mutationsOf(arbitraryOf(jsonSchemaOf(operationRequestSchema), hints.body)), { seed: SEED, numRuns: 300 });
    expect(mutated.filter((v) => !operationRequestSchema.safeParse(v).success).length / mutated.length).toBeGreaterThan(0.7);
    const hostile = fc.sample(garbage, { seed: SEED, numRuns: 300 });
    expect(hostile.some((v) => v && typeof v === 'object' && Object.hasOwn(v, '__proto__'))).toBe(true);
  });
});
