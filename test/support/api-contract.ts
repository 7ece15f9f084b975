/**
 * The request contract of the API's smaller inputs, written by hand from docs/api.md, for the
 * fuzz test's oracle (issue 19): which query strings, path ids and bodies are valid, decided
 * here without the routes' own zod schemas, so a schema that drifts from the contract shows up
 * as a disagreement instead of agreeing with itself.
 *
 * Query values arrive as node:querystring gives them (a repeated parameter is an array, which
 * no parameter accepts); numbers in a query are read as JavaScript reads a number (Number()).
 */

type Query = Record<string, string | string[] | undefined>;

const OPERATION_STATES = ['queued', 'running', 'cancelling', 'succeeded', 'failed', 'refused', 'cancelled'];
const OPERATION_KINDS = ['evacuate', 'shift', 'restore', 'scale', 'runbook', 'reconcile'];
/** An AWS region code as docs/api.md describes it: us-east-1, eu-central-2, ap-southeast-10. */
const REGION_CODE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const onlyKeys = (o: object, allowed: readonly string[]) => Object.keys(o).every((k) => allowed.includes(k));
const single = (v: string | string[] | undefined): v is string => typeof v === 'string';
const wholeNumberIn = (s: string, min: number, max: number) => {
  const n = Number(s);
  return Number.isInteger(n) && n >= min && n <= max;
};
/** A comma-separated list whose every non-blank item is one of `values` (an empty list is no filter). */
const listOf = (s: string, values: readonly string[]) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .every((x) => values.includes(x));
const isTime = (s: string) => !Number.isNaN(Date.parse(s));

/** GET /v1/operations: state and kind as comma-separated lists, limit 1 to 500, nothing else. */
export function validOperationsQuery(q: Query): boolean {
  if (!onlyKeys(q, ['state', 'kind', 'limit'])) return false;
  if (q.state !== undefined && !(single(q.state) && listOf(q.state, OPERATION_STATES))) return false;
  if (q.kind !== undefined && !(single(q.kind) && listOf(q.kind, OPERATION_KINDS))) return false;
  if (q.limit !== undefined && !(single(q.limit) && wholeNumberIn(q.limit, 1, 500))) return false;
  return true;
}

/** GET /v1/audit: from and to are times, actor and operation up to 200 characters, region a region code, action up to 100, limit 1 to 1000. */
export function validAuditQuery(q: Query): boolean {
  if (!onlyKeys(q, ['from', 'to', 'actor', 'operation', 'region', 'action', 'limit'])) return false;
  const checks: Record<string, (s: string) => boolean> = {
    from: isTime,
    to: isTime,
    actor: (s) => s.length <= 200,
    operation: (s) => s.length <= 200,
    region: (s) => REGION_CODE.test(s),
    action: (s) => s.length <= 100,
    limit: (s) => wholeNumberIn(s, 1, 1000),
  };
  return Object.entries(q).every(([k, v]) => v === undefined || (single(v) && checks[k]!(v)));
}

/** GET /v1/readiness: refresh=true or refresh=false, nothing else. */
export function validReadinessQuery(q: Query): boolean {
  return onlyKeys(q, ['refresh']) && (q.refresh === undefined || q.refresh === 'true' || q.refresh === 'false');
}

/** An operation or run id as lifeboat makes them: op_ or run_, then 1 to 200 letters, digits, '_', '.', '-'. */
export function validOperationId(id: string): boolean {
  return /^(op|run)_[A-Za-z0-9_.-]{1,200}$/.test(id);
}

/** POST /v1/operations/:id/cancel: an object with at most rollback, a boolean. */
export function validCancelBody(body: unknown): boolean {
  return isPlainObject(body) && onlyKeys(body, ['rollback']) && (body.rollback === undefined || typeof body.rollback === 'boolean');
}

/** POST /v1/operations/:id/approve: an object with at most decision (approve or reject) and comment (up to 2000 characters). */
export function validApproveBody(body: unknown): boolean {
  if (!isPlainObject(body) || !onlyKeys(body, ['decision', 'comment'])) return false;
  if (body.decision !== undefined && body.decision !== 'approve' && body.decision !== 'reject') return false;
  return body.comment === undefined || (typeof body.comment === 'string' && body.comment.length <= 2000);
}

/** POST /v1/runbooks/:name/runs (and a trigger's body): an object with at most params, whose values are strings, numbers or booleans. */
export function validRunBody(body: unknown): boolean {
  if (!isPlainObject(body) || !onlyKeys(body, ['params'])) return false;
  if (body.params === undefined) return true;
  return isPlainObject(body.params) && Object.values(body.params).every((v) => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)));
}
