import { LifeboatError } from '../../core/errors';
import type { AwsService } from './rate-limiter';

/**
 * AWS failures, after the SDK's own retries, as lifeboat errors: throttled, unavailable
 * (no answer, a 5xx, a timeout) or rejected (AWS answered no). Messages name the service,
 * the action and the region, and carry AWS's own words; never a stack trace.
 */

const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'PriorRequestNotComplete',
  'TooManyRequestsException',
  'SlowDown',
]);

const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
]);

/**
 * Auto Scaling refusing a change for now: a scaling activity is under way on the group
 * (ScalingActivityInProgressFault, a 400) or another update to it is pending
 * (ResourceContentionFault). Both pass once the activity ends: transient, retried with
 * backoff by the SDK (every attempt taking a token from the quota buckets) and, if they
 * outlast its attempts, by the operation.
 */
const BUSY_CODES: ReadonlySet<string> = new Set([
  'ScalingActivityInProgressFault',
  'ScalingActivityInProgress',
  'ResourceContentionFault',
  'ResourceContention',
]);

const PROGRAMMING_ERRORS: ReadonlySet<string> = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);

const SERVICE_LABEL: Record<AwsService, string> = {
  autoscaling: 'Auto Scaling',
  ec2: 'EC2',
  route53: 'Route 53',
  'cloudwatch-metrics': 'CloudWatch',
  'cloudwatch-alarms': 'CloudWatch',
};

interface AwsCallContext {
  service: AwsService;
  region: string;
  /** The API action, e.g. DescribeAutoScalingGroups. */
  action: string;
}

interface AwsErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number; requestId?: string };
  $retryable?: { throttling?: boolean };
}

function shape(e: unknown): AwsErrorShape {
  return typeof e === 'object' && e !== null ? (e as AwsErrorShape) : {};
}

/** The AWS error code: the exception name for service errors, the Node code for network errors. */
function awsErrorCode(e: unknown): string {
  const s = shape(e);
  if (typeof s.code === 'string' && NETWORK_CODES.has(s.code)) return s.code;
  if (typeof s.name === 'string' && s.name !== 'Error') return s.name;
  if (typeof s.code === 'string') return s.code;
  return 'UnknownError';
}

export function isThrottlingError(e: unknown): boolean {
  const s = shape(e);
  return THROTTLING_CODES.has(awsErrorCode(e)) || s.$metadata?.httpStatusCode === 429 || s.$retryable?.throttling === true;
}

/** Auto Scaling busy with the group (an activity in progress, a pending update): worth trying again shortly. */
export function isBusyError(e: unknown): boolean {
  return BUSY_CODES.has(awsErrorCode(e));
}

/** Maps anything an SDK call threw to a LifeboatError; lifeboat's own errors and programming errors pass through. */
export function toLifeboatError(e: unknown, ctx: AwsCallContext): unknown {
  if (e instanceof LifeboatError) return e;
  const s = shape(e);
  const awsCode = awsErrorCode(e);
  if (PROGRAMMING_ERRORS.has(awsCode)) return e;
  const awsMessage = typeof s.message === 'string' && s.message.trim() !== '' ? firstLine(s.message) : awsCode;
  const httpStatus = s.$metadata?.httpStatusCode;
  const attempts = s.$metadata?.attempts;
  const details: Record<string, unknown> = {
    service: ctx.service,
    region: ctx.region,
    action: ctx.action,
    awsCode,
    awsMessage,
    ...(httpStatus !== undefined ? { httpStatus } : {}),
    ...(attempts !== undefined ? { attempts } : {}),
    ...(s.$metadata?.requestId ? { requestId: s.$metadata.requestId } : {}),
  };
  const what = `${SERVICE_LABEL[ctx.service]} ${ctx.action} in ${ctx.region}`;
  const afterAttempts = attempts !== undefined ? ` after ${attempts} attempt${attempts === 1 ? '' : 's'}` : '';

  if (isThrottlingError(e)) {
    return new LifeboatError('LB_ERR_AWS_THROTTLED', `${what} was throttled${afterAttempts} (${awsCode}: ${awsMessage}).`, details);
  }
  if (isBusyError(e)) {
    return new LifeboatError('LB_ERR_AWS_BUSY', `${what} was refused while the group is busy${afterAttempts} (${awsCode}: ${awsMessage}).`, details);
  }
  const isServiceAnswer = httpStatus !== undefined || s.$fault === 'client' || s.$fault === 'server';
  if (!isServiceAnswer || (httpStatus !== undefined && httpStatus >= 500) || NETWORK_CODES.has(awsCode)) {
    return new LifeboatError('LB_ERR_AWS_UNAVAILABLE', `${what} got no usable answer${afterAttempts} (${awsCode}: ${awsMessage}).`, details);
  }
  return new LifeboatError('LB_ERR_AWS_REJECTED', `${what} was rejected: ${awsCode}: ${awsMessage}`, details);
}

/** Runs one SDK call and maps its failure. */
export async function awsCall<T>(ctx: AwsCallContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw toLifeboatError(e, ctx);
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

/**
 * Every page an SDK paginator (paginateX) yields, each page's failure mapped as awsCall maps
 * one call's. Breaking out of the loop stops the listing: no further page is asked for.
 */
export async function* awsPages<T>(ctx: AwsCallContext, paginator: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
  const pages = paginator[Symbol.asyncIterator]();
  for (;;) {
    const next = await awsCall(ctx, () => pages.next());
    if (next.done) return;
    yield next.value;
  }
}
