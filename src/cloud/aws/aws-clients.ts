import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import type { AutoScalingClientConfig } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { Route53Client } from '@aws-sdk/client-route-53';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { loadConfig } from '@smithy/core/config';
import { NODE_MAX_ATTEMPT_CONFIG_OPTIONS, NODE_RETRY_MODE_CONFIG_OPTIONS } from '@smithy/core/retry';
import type { FinalizeRequestMiddleware, HandlerExecutionContext, HttpHandlerOptions, InitializeMiddleware, MiddlewareStack, RequestHandler } from '@smithy/types';
import { LifeboatError } from '../../core/errors';
import type { CallCounts, CallKind, CallOutcome, CallOutcomes, CallTotals } from '../call-tally';
import { CallTally, currentCallTally } from '../call-tally';
import { isBusyError, isThrottlingError } from './aws-errors';
import { currentCallDeadline, raceSignal } from './call-deadline';
import type { AwsService, CallLimiter } from './rate-limiter';
import { TokenBuckets } from './rate-limiter';

/** Route 53 is a global service; its API lives in us-east-1. */
export const ROUTE53_REGION = 'us-east-1';

export type AwsCredentials = AutoScalingClientConfig['credentials'];

/** lifeboat's attempts per call when neither AWS_MAX_ATTEMPTS nor the profile's max_attempts says. */
export const DEFAULT_MAX_ATTEMPTS = 8;
/** lifeboat's retry mode when neither AWS_RETRY_MODE nor the profile's retry_mode says. */
export const DEFAULT_RETRY_MODE = 'standard';
/** Sent as the user agent's app id (`app/lifeboat...`) unless the caller names its version: CloudTrail then tells lifeboat's calls from a person's. */
export const DEFAULT_APP_ID = 'lifeboat';

/** How long one HTTP attempt may take, answer included, before the SDK gives up on it (and retries). */
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** How long connecting to an endpoint may take. */
const DEFAULT_CONNECTION_TIMEOUT_MS = 3_000;

interface AwsClientsOptions {
  regions: readonly string[];
  /** An explicit endpoint for every client (moto, LocalStack). Otherwise the SDK's own rules apply, AWS_ENDPOINT_URL included. */
  endpoint?: string;
  /** Default: the SDK's node provider chain (environment, profile, SSO, web identity, instance role), resolved once. */
  credentials?: AwsCredentials;
  /** Attempts per call, the first included. Default: what the SDK reads (AWS_MAX_ATTEMPTS, the profile's max_attempts), else 8. */
  maxAttempts?: number;
  /** The user agent's app id on every request, e.g. lifeboat/0.1.0. Default "lifeboat". */
  appId?: string;
  /** Per attempt: an endpoint that does not answer in time fails the attempt with a TimeoutError. Default 10000. */
  requestTimeoutMs?: number;
  /** Per attempt: time allowed to connect. Default 3000. */
  connectionTimeoutMs?: number;
  limiter?: CallLimiter;
  stats?: AwsCallStats;
  /** The account these clients reach (their credentials are that account's); its calls draw on its own quota buckets. */
  account?: string;
  /** Control regions where the region switches' alarms live (they need not be managed regions). */
  alarmRegions?: readonly string[];
}

/** Per action: calls made (one per SDK send), HTTP attempts (retries included), throttled attempts, calls failed for good. */
interface AwsCallCounts extends CallCounts {
  service: AwsService;
}

/** How a finished call ended: answered, failed for good on throttling, or failed otherwise. */
type AwsCallOutcome = CallOutcome;

interface AwsCallOutcomes extends CallOutcomes {
  service: AwsService;
}

/** Counts of calls, attempts and throttles per (service, region, action), for operations to report and metrics to read. */
export class AwsCallStats implements CallTotals {
  private readonly counts = new CallTally();
  private readonly ended = new Map<string, AwsCallOutcomes>();

  record(kind: CallKind, service: AwsService, region: string, action: string): void {
    this.counts.record(kind, service, region, action);
  }

  recordCall(service: AwsService, region: string, action: string): void {
    this.record('calls', service, region, action);
  }

  recordAttempt(service: AwsService, region: string, action: string): void {
    this.record('attempts', service, region, action);
  }

  recordThrottle(service: AwsService, region: string, action: string): void {
    this.record('throttles', service, region, action);
  }

  recordFailure(service: AwsService, region: string, action: string): void {
    this.record('failures', service, region, action);
  }

  /** For metrics: finished calls by outcome (calls still in flight are in neither). */
  recordOutcome(service: AwsService, region: string, action: string, outcome: AwsCallOutcome): void {
    const key = `${service}\u0000${region}\u0000${action}`;
    let c = this.ended.get(key);
    if (!c) this.ended.set(key, (c = { service, region, action, outcomes: { ok: 0, throttled: 0, failed: 0 } }));
    c.outcomes[outcome] += 1;
  }

  /** A copy of the finished calls by outcome, per (service, region, action). */
  outcomes(): AwsCallOutcomes[] {
    return [...this.ended.values()].map((c) => ({ ...c, outcomes: { ...c.outcomes } }));
  }

  /** A copy of the counts, sorted by service, region and action. */
  snapshot(): AwsCallCounts[] {
    // Only record() fills the tally, and it takes an AwsService.
    return this.counts.byAction() as AwsCallCounts[];
  }
}

function actionOf(context: HandlerExecutionContext): string {
  return (context.commandName ?? 'UnknownCommand').replace(/Command$/, '');
}

/**
 * Installs the limiter and the counters on a client's middleware stack: one middleware at
 * initialize (once per call) and one inside the retry middleware (once per attempt).
 */
function instrumentClient(
  stack: MiddlewareStack<object, object>,
  service: AwsService,
  region: string,
  limiter: CallLimiter,
  stats: AwsCallStats,
  account?: string,
): void {
  // Into the process-wide stats, and into the tally of the operation the call is made for.
  const count = (kind: CallKind, action: string) => {
    stats.record(kind, service, region, action);
    currentCallTally()?.record(kind, service, region, action);
  };
  const perCall: InitializeMiddleware<object, object> = (next, context) => async (args) => {
    const action = actionOf(context);
    count('calls', action);
    // A call made under a deadline (withCallDeadline): the SDK's retries stop once it passes.
    const deadline = currentCallDeadline();
    const smithy = context[SMITHY_CONTEXT] as { abortSignal?: AbortSignal } | undefined;
    if (deadline && smithy) smithy.abortSignal = smithy.abortSignal ? AbortSignal.any([smithy.abortSignal, deadline]) : deadline;
    try {
      const result = await next(args);
      stats.recordOutcome(service, region, action, 'ok');
      return result;
    } catch (e) {
      count('failures', action);
      stats.recordOutcome(service, region, action, isThrottlingError(e) ? 'throttled' : 'failed');
      throw e;
    }
  };
  // At the finalizeRequest step with low priority: inside the SDK's retry middleware (high
  // priority at that step), so it runs once per attempt and sees each attempt's parsed error.
  const perAttempt: FinalizeRequestMiddleware<object, object> = (next, context) => async (args) => {
    const action = actionOf(context);
    await raceSignal(limiter.take(service, region, account), currentCallDeadline());
    count('attempts', action);
    try {
      return await next(args);
    } catch (e) {
      if (isThrottlingError(e)) count('throttles', action);
      // The SDK retries what is retryable by trait: a busy group is, with the same backoff.
      if (isBusyError(e)) markRetryable(e);
      throw e;
    }
  };
  stack.add(perCall, { step: 'initialize', name: 'lifeboatCallStatsMiddleware', override: true });
  stack.add(perAttempt, { step: 'finalizeRequest', priority: 'low', name: 'lifeboatRateLimitMiddleware', override: true });
}

/** Marks an error retryable by trait, so the SDK's retry strategy tries the call again after its backoff. */
function markRetryable(e: unknown): void {
  if (typeof e === 'object' && e !== null && (e as { $retryable?: unknown }).$retryable === undefined) {
    (e as { $retryable?: { throttling: boolean } }).$retryable = { throttling: false };
  }
}

/** Where the SDK keeps a call's own context (its abort signal among it) in the handler context. */
const SMITHY_CONTEXT = '__smithy_context';

/**
 * The client's HTTP handler, with the deadline of the work a call is made for (if any)
 * added to the call's abort signal: a request past the deadline is abandoned.
 */
function abandonAtDeadline(client: { config: { requestHandler: unknown } }): void {
  const handler = client.config.requestHandler as RequestHandler<unknown, unknown, HttpHandlerOptions>;
  const handle = (request: unknown, options: HttpHandlerOptions = {}) => {
    const deadline = currentCallDeadline() as HttpHandlerOptions['abortSignal'] | undefined;
    if (!deadline) return handler.handle(request, options);
    const abortSignal = options.abortSignal ? AbortSignal.any([options.abortSignal as AbortSignal, deadline as AbortSignal]) : deadline;
    return handler.handle(request, { ...options, abortSignal: abortSignal as HttpHandlerOptions['abortSignal'] });
  };
  client.config.requestHandler = new Proxy(handler, {
    get: (target, property) => {
      if (property === 'handle') return handle;
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Retry mode and attempts as the SDK itself resolves them (environment, then the shared
 * config file's profile), with lifeboat's defaults only where neither says: the SDK's own
 * loader with lifeboat's default in place of the SDK's. An explicit maxAttempts wins.
 */
export function sdkRetryConfig(maxAttempts?: number): { maxAttempts: number | (() => Promise<number>); retryMode: () => Promise<string> } {
  return {
    maxAttempts: maxAttempts ?? loadConfig({ ...NODE_MAX_ATTEMPT_CONFIG_OPTIONS, default: DEFAULT_MAX_ATTEMPTS }),
    retryMode: loadConfig({ ...NODE_RETRY_MODE_CONFIG_OPTIONS, default: DEFAULT_RETRY_MODE }),
  };
}

/**
 * One Auto Scaling, one EC2 and one CloudWatch client per managed region, one Route 53
 * client, all limited and counted: one account's. A region's client is its own: its
 * connections, its retry quota (the SDK keeps one per client) and its quota bucket (per
 * service and region), so a region whose endpoint hangs slows no call to another.
 */
export class AwsClients {
  readonly route53: Route53Client;
  readonly stats: AwsCallStats;
  readonly limiter: CallLimiter;
  readonly account: string | undefined;
  private readonly autoScalingClients = new Map<string, AutoScalingClient>();
  /** CloudWatch for reading load (GetMetricData), on its own quota bucket. */
  private readonly loadMetricsClients = new Map<string, CloudWatchClient>();
  private readonly ec2Clients = new Map<string, EC2Client>();
  /** CloudWatch for the region switches (alarms, their metric), per control region, on its own quota bucket. */
  private readonly alarmClients = new Map<string, CloudWatchClient>();

  constructor(options: AwsClientsOptions) {
    this.stats = options.stats ?? new AwsCallStats();
    this.limiter = options.limiter ?? new TokenBuckets();
    this.account = options.account;
    const retry = sdkRetryConfig(options.maxAttempts);
    const credentials = options.credentials ?? fromNodeProviderChain();
    const base = (region: string) => ({
      region,
      ...retry,
      userAgentAppId: options.appId ?? DEFAULT_APP_ID,
      credentials,
      requestHandler: {
        requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
        // Without this the SDK only logs a warning when the request timeout passes.
        throwOnRequestTimeout: true,
      },
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    });
    const instrument = (stack: unknown, service: AwsService, region: string) =>
      instrumentClient(stack as MiddlewareStack<object, object>, service, region, this.limiter, this.stats, this.account);
    for (const region of options.regions) {
      const autoScaling = new AutoScalingClient(base(region));
      instrument(autoScaling.middlewareStack, 'autoscaling', region);
      abandonAtDeadline(autoScaling);
      this.autoScalingClients.set(region, autoScaling);
      const loadMetrics = new CloudWatchClient(base(region));
      instrument(loadMetrics.middlewareStack, 'cloudwatch-metrics', region);
      abandonAtDeadline(loadMetrics);
      this.loadMetricsClients.set(region, loadMetrics);
      const ec2 = new EC2Client(base(region));
      instrument(ec2.middlewareStack, 'ec2', region);
      abandonAtDeadline(ec2);
      this.ec2Clients.set(region, ec2);
    }
    for (const region of options.alarmRegions ?? []) {
      const alarms = new CloudWatchClient(base(region));
      instrument(alarms.middlewareStack, 'cloudwatch-alarms', region);
      abandonAtDeadline(alarms);
      this.alarmClients.set(region, alarms);
    }
    this.route53 = new Route53Client(base(ROUTE53_REGION));
    instrument(this.route53.middlewareStack, 'route53', ROUTE53_REGION);
    abandonAtDeadline(this.route53);
  }

  autoScaling(region: string): AutoScalingClient {
    return this.forRegion(this.autoScalingClients, region);
  }

  loadMetrics(region: string): CloudWatchClient {
    return this.forRegion(this.loadMetricsClients, region);
  }

  ec2(region: string): EC2Client {
    return this.forRegion(this.ec2Clients, region);
  }

  alarms(region: string): CloudWatchClient {
    return this.forRegion(this.alarmClients, region);
  }

  /** Closes the clients' connection pools. */
  destroy(): void {
    for (const c of this.autoScalingClients.values()) c.destroy();
    for (const c of this.loadMetricsClients.values()) c.destroy();
    for (const c of this.ec2Clients.values()) c.destroy();
    for (const c of this.alarmClients.values()) c.destroy();
    this.route53.destroy();
  }

  private forRegion<C>(clients: Map<string, C>, region: string): C {
    const client = clients.get(region);
    if (!client) {
      throw new LifeboatError('LB_ERR_UNKNOWN_REGION', `Region ${region} is not managed by lifeboat (managed: ${[...clients.keys()].join(', ')}).`, {
        region,
        managedRegions: [...clients.keys()],
      });
    }
    return client;
  }
}
