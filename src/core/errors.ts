/**
 * One catalog of every error lifeboat reports: a stable code, the HTTP status a surface
 * answers with, and the next thing a human should do. docs/api.md lists them all
 * (test/unit/error-catalog.test.ts keeps the two in step).
 */
interface ErrorSpec {
  status: number;
  title: string;
  hint: string;
}

export const ERROR_CATALOG = {
  LB_ERR_VALIDATION: {
    status: 400,
    title: 'The request is not valid',
    hint: 'Fix the fields named in details and send it again.',
  },
  LB_ERR_MALFORMED_JSON: {
    status: 400,
    title: 'The body is not valid JSON',
    hint: 'Send a JSON object with Content-Type: application/json.',
  },
  LB_ERR_BODY_TOO_LARGE: {
    status: 413,
    title: 'The body is too large',
    hint: 'Send a smaller body; intents are small JSON documents.',
  },
  LB_ERR_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: 'The body is not JSON',
    hint: 'Send Content-Type: application/json.',
  },
  LB_ERR_UNAUTHENTICATED: {
    status: 401,
    title: 'No valid token',
    hint: 'Send Authorization: Bearer <token>; tokens are configured as hashes (npm run token -- --name <you> --role <role>).',
  },
  LB_ERR_FORBIDDEN: {
    status: 403,
    title: 'The token does not have the role this needs',
    hint: 'Use a token with the role named in details (viewer, operator, approver or admin).',
  },
  LB_ERR_RATE_LIMITED: {
    status: 429,
    title: 'Too many changes asked too fast with this token',
    hint: 'Wait for the time in Retry-After, then send it again.',
  },
  LB_ERR_NOT_FOUND: {
    status: 404,
    title: 'No such resource',
    hint: 'Check the id or path; GET /v1/operations lists operations.',
  },
  LB_ERR_UNKNOWN_REGION: {
    status: 400,
    title: 'The region is not managed by lifeboat',
    hint: 'Use one of the regions in LIFEBOAT_REGIONS (GET /v1/fleet lists them).',
  },
  LB_ERR_UNKNOWN_SERVICE: {
    status: 400,
    title: 'No managed Auto Scaling group serves this service',
    hint: 'Tag its groups lifeboat:service=<service>, or use a service listed by GET /v1/fleet.',
  },
  LB_ERR_UNKNOWN_MODEL: {
    status: 400,
    title: 'No capacity model has this name',
    hint: 'Use a model listed by GET /v1/models, or add one in models/.',
  },
  LB_ERR_MODEL_INVALID: {
    status: 500,
    title: 'A capacity model file is not valid',
    hint: 'Fix the file and field named in the message; lifeboat loads models at start.',
  },
  LB_ERR_MODEL_PARAMETER: {
    status: 400,
    title: 'A model parameter is missing or out of range',
    hint: 'Pass the parameter in the intent (parameters: {...}) within the range the model declares.',
  },
  LB_ERR_MODEL_INPUT_MISSING: {
    status: 409,
    title: 'The fleet lacks an input the model needs',
    hint: 'Tag the groups named in details (for example lifeboat:capacity-per-instance), or choose another model.',
  },
  LB_ERR_MODEL_EVALUATION: {
    status: 409,
    title: 'The model produced no usable answer',
    hint: 'Check the model parameters and the fleet inputs named in details.',
  },
  LB_ERR_NO_SERVING_REGION: {
    status: 409,
    title: 'No region would be left serving',
    hint: 'Restore another region first, or shift only part of the traffic.',
  },
  LB_ERR_REGION_ALREADY_EVACUATED: {
    status: 409,
    title: 'The region already serves no traffic',
    hint: 'Nothing to evacuate; use restore to bring it back.',
  },
  LB_ERR_REGION_NOT_EVACUATED: {
    status: 409,
    title: 'The region is not evacuated',
    hint: 'Only a region with a recorded evacuation or shift can be restored.',
  },
  LB_ERR_SHORTFALL: {
    status: 409,
    title: 'Survivors cannot reach the capacity they need',
    hint: 'Raise MaxSize (or the MaxSize growth allowed), shift less traffic, or pass force: true to accept the shortfall.',
  },
  LB_ERR_NOTHING_TO_DO: {
    status: 409,
    title: 'The plan changes nothing',
    hint: 'The fleet already matches the intent.',
  },
  LB_ERR_DESIRED_ABOVE_MAX: {
    status: 409,
    title: 'Desired capacity would exceed MaxSize',
    hint: 'Raise MaxSize in the same change, or ask for less.',
  },
  LB_ERR_AWS_THROTTLED: {
    status: 503,
    title: 'AWS kept throttling the calls',
    hint: 'Retry in a minute; lower the client rate limit if it keeps happening.',
  },
  LB_ERR_AWS_UNAVAILABLE: {
    status: 503,
    title: 'AWS did not answer',
    hint: 'Check connectivity and AWS_ENDPOINT_URL, then retry.',
  },
  LB_ERR_AWS_BUSY: {
    status: 503,
    title: 'Auto Scaling is busy with the group',
    hint: 'A scaling activity or another update is under way on the group; lifeboat retries. If it persists, look at the group\'s scaling activities.',
  },
  LB_ERR_AWS_REJECTED: {
    status: 502,
    title: 'AWS rejected the request',
    hint: 'Read the AWS message in details; the fleet may have changed under lifeboat.',
  },
  LB_ERR_PROCESS_SUSPENDED: {
    status: 409,
    title: 'A group that must grow has a process suspended that stops it',
    hint: 'Resume the process named in details (aws autoscaling resume-processes), or leave the group out of the move.',
  },
  LB_ERR_INSTANCE_TYPE_NOT_OFFERED: {
    status: 409,
    title: 'A group that must grow launches an instance type none of its zones offers',
    hint: 'Change the launch template (or mixed instances overrides) to a type its zones offer, or add zones that offer it.',
  },
  LB_ERR_INSTANCE_REFRESH: {
    status: 409,
    title: 'An instance refresh is under way on a group that must grow or carry more traffic',
    hint: 'Wait for the refresh to finish or cancel it; or drop refusePendingRefresh to go ahead with a warning.',
  },
  LB_ERR_REGION_LOCKED: {
    status: 409,
    title: 'Another operation holds the region',
    hint: 'Wait for it to finish or cancel it (details names it).',
  },
  LB_ERR_IDEMPOTENCY_MISMATCH: {
    status: 409,
    title: 'The Idempotency-Key was used with another body',
    hint: 'Use a new Idempotency-Key for a new request.',
  },
  LB_ERR_OPERATION_FINISHED: {
    status: 409,
    title: 'The operation has already finished',
    hint: 'Nothing to cancel; start a new operation if needed.',
  },
  LB_ERR_CAPACITY_TIMEOUT: {
    status: 504,
    title: 'Capacity did not come into service in time',
    hint: 'See the shortfall per group in details; raise the timeout or use the partial-shift policy.',
  },
  LB_ERR_DNS_TIMEOUT: {
    status: 504,
    title: 'Route 53 did not report the change in sync in time',
    hint: 'The weights of the last applied stage are in place; check Route 53, then resume or restore.',
  },
  LB_ERR_VERIFICATION_FAILED: {
    status: 409,
    title: 'Verification after a stage failed',
    hint: 'Short of capacity, the weights were set to what the capacity in service serves (details.served); if the verify hook said no, back to the previous stage\'s. See details for what was short.',
  },
  LB_ERR_CANCELLED: {
    status: 409,
    title: 'The operation was cancelled',
    hint: 'Start it again when ready.',
  },
  LB_ERR_UNKNOWN_RUNBOOK: {
    status: 404,
    title: 'No runbook has this name',
    hint: 'GET /v1/runbooks lists them; runbooks live in runbooks/*.yaml.',
  },
  LB_ERR_RUNBOOK_INVALID: {
    status: 400,
    title: 'The runbook is not valid',
    hint: 'Fix the file at the line and field named; `npx lifeboat runbook validate <file>` checks it.',
  },
  LB_ERR_RUNBOOK_EXPRESSION: {
    status: 400,
    title: 'A runbook expression cannot be evaluated',
    hint: 'Check the expression against the documented scope: params, steps.<id>.outputs, fleet, readiness.',
  },
  LB_ERR_ASSERTION_FAILED: {
    status: 409,
    title: 'A runbook assertion did not hold',
    hint: 'Read the assertion message; the run followed its onFailure.',
  },
  LB_ERR_STEP_TIMEOUT: {
    status: 504,
    title: 'A runbook step ran out of time',
    hint: 'Raise the step timeoutSeconds, or look at what it was waiting for.',
  },
  LB_ERR_APPROVAL_NOT_PENDING: {
    status: 409,
    title: 'Nothing is waiting for approval',
    hint: 'Only a run paused at an approve step can be approved.',
  },
  LB_ERR_APPROVAL_SAME_ACTOR: {
    status: 403,
    title: 'The two-person rule forbids approving your own run',
    hint: 'Ask someone else with the approver role to approve it.',
  },
  LB_ERR_APPROVAL_REJECTED: {
    status: 409,
    title: 'The approval was rejected',
    hint: 'The run followed its onFailure; start it again when ready.',
  },
  LB_ERR_APPROVAL_TIMEOUT: {
    status: 504,
    title: 'Nobody approved in time',
    hint: 'Start the run again, and approve with POST /v1/operations/:id/approve.',
  },
  LB_ERR_NOTIFY_FAILED: {
    status: 502,
    title: 'The notification webhook did not accept the message',
    hint: 'Check the webhook URL and that it answers 2xx.',
  },
  LB_ERR_TRIGGER_SIGNATURE: {
    status: 401,
    title: 'The trigger is not signed correctly',
    hint: 'Sign "POST\\n<path>\\n<X-Lifeboat-Timestamp>\\n<X-Lifeboat-Trigger-Id>\\n<raw body>" with HMAC-SHA256 and the trigger secret: X-Lifeboat-Signature: sha256=<hex> (docs/runbooks.md; npx lifeboat runbook trigger signs for you).',
  },
  LB_ERR_TRIGGER_TOO_SOON: {
    status: 429,
    title: 'The runbook ran too recently to be triggered again',
    hint: 'Wait for the minimum interval (details.retryAfterSeconds).',
  },
  LB_ERR_DEPENDENCY_DOWN: {
    status: 503,
    title: 'A dependency is down',
    hint: 'GET /readyz names the failing dependency.',
  },
  LB_ERR_REDIS_NOT_PERSISTENT: {
    status: 503,
    title: 'Redis keeps nothing across a restart',
    hint: 'Turn on appendonly in Redis (appendonly yes, appendfsync everysec or always: docs/operating.md, "Redis"), or set LIFEBOAT_ACCEPT_VOLATILE_REDIS=true to start anyway, knowing a Redis restart loses every operation in flight.',
  },
  LB_ERR_INTERNAL: {
    status: 500,
    title: 'Internal error',
    hint: 'This is a bug in lifeboat; the log has the details under the request id.',
  },
  LB_ERR_OUTBOUND_REFUSED: {
    status: 403,
    title: 'The outbound allow-list refused the request',
    hint: 'Add the host to LIFEBOAT_OUTBOUND_HOSTS (for a loopback, link-local or private address: the address or its range), or use another URL; the log says why it was refused.',
  },
  LB_ERR_TRIGGER_REPLAYED: {
    status: 409,
    title: 'This trigger id has been used already',
    hint: 'Every trigger needs an X-Lifeboat-Trigger-Id of its own: sign each alarm anew (npx lifeboat runbook trigger does).',
  },
  LB_ERR_REGION_UNREADABLE: {
    status: 503,
    title: 'A region cannot be read and lifeboat holds no earlier reading of it',
    hint: 'GET /v1/status shows which AWS endpoint is down. Plan again once it has answered once (lifeboat keeps its last good reading), or pass force: true to plan as if the region ran nothing.',
  },
  LB_ERR_SWITCH_NOT_PREPARED: {
    status: 409,
    title: 'The region switch this needs is not prepared',
    hint: 'Run prepare-switches (POST /v1/switches/prepare) and check GET /v1/switches, or ask without fallback: "switch".',
  },
  LB_ERR_SWITCH_FAILED: {
    status: 502,
    title: 'A region switch could not be turned or did not reach its state',
    hint: 'GET /v1/switches shows the alarm state; check CloudWatch in the alarm region (SetAlarmState, PutMetricData) and try again.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** A problem as data: what plans carry as blockers and warnings, and what errors carry. */
export interface Problem {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
  /** The next thing to do for this case, when it says more than the catalog's hint for the code. */
  hint?: string;
}

export class LifeboatError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly hint: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, hint?: string) {
    super(message);
    this.name = 'LifeboatError';
    this.code = code;
    this.status = ERROR_CATALOG[code].status;
    this.hint = hint ?? ERROR_CATALOG[code].hint;
    this.details = details;
  }

  static fromProblem(problem: Problem): LifeboatError {
    return new LifeboatError(problem.code, problem.message, problem.details, problem.hint);
  }

  /** The error as a Problem (what plans and operations record): code, message, details if any, and its own hint if it has one. */
  toProblem(): Problem {
    const ownHint = this.hint !== ERROR_CATALOG[this.code].hint;
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}), ...(ownHint ? { hint: this.hint } : {}) };
  }

  /** The JSON body every surface returns: never a stack trace. */
  toJSON(): { error: { code: ErrorCode; message: string; hint: string; details?: Record<string, unknown> } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        hint: this.hint,
        ...(this.details ? { details: this.details } : {}),
      },
    };
  }
}

export function isLifeboatError(e: unknown): e is LifeboatError {
  return e instanceof LifeboatError;
}
