import type { AutoScalingGroupReading, FleetReading, RegionCode, SnapshotWarning, WeightedRecord } from '../../core/fleet';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { GetHostedZoneCountCommand } from '@aws-sdk/client-route-53';
import type { ChangeStatus, CloudPort, FleetReadOptions, GroupSizeUpdate, ReachabilityCheck, ScalingProblem, TrafficChange, WeightUpdate } from '../ports';
import type { Problem } from '../../core/errors';
import { LifeboatError } from '../../core/errors';
import { CallDeadlineExceeded, raceSignal, withCallDeadline } from './call-deadline';
import { AUTO_SCALING_MAX_RECORDS, readNamedGroups, readScalingProblems, readTaggedGroups, updateGroupSize } from './aws-auto-scaling';
import type { AwsCallStats, AwsCredentials } from './aws-clients';
import { AwsClients, ROUTE53_REGION } from './aws-clients';
import { readChangeStatus, readManagedZones, readRecordWeights, upsertWeights } from './aws-route53';
import type { CallLimiter, MonotonicClock, RateLimits } from './rate-limiter';
import { TokenBuckets } from './rate-limiter';

/**
 * The AWS adapter behind the cloud port: Auto Scaling per region, Route 53 globally, through
 * the SDK v3 with its standard retries, a client-side token bucket per (service, region) and
 * per-action call statistics. Endpoints follow the SDK's rules unless `endpoint` is given.
 */

interface AwsCloudOptions {
  /** Managed regions (LIFEBOAT_REGIONS). */
  regions: RegionCode[];
  /** One endpoint for every service (moto, LocalStack); otherwise AWS_ENDPOINT_URL or AWS's own. */
  endpoint?: string;
  credentials?: AwsCredentials;
  /** Attempts per call, the first included. Default 8. */
  maxAttempts?: number;
  /** Per attempt: how long AWS may take to answer before the attempt fails (and is retried). Default 10000 ms. */
  requestTimeoutMs?: number;
  /** Per attempt: how long connecting may take. Default 3000 ms. */
  connectionTimeoutMs?: number;
  /** Overrides of the client-side rate limits (see DEFAULT_RATE_LIMITS). */
  rateLimits?: RateLimits;
  /** Where the rate limits are kept: by default this process's own buckets (see RedisTokenBuckets to share them). */
  limiter?: CallLimiter;
  /** The limiter's clock; tests only. */
  clock?: MonotonicClock;
  /** Page sizes, small in tests to force pagination: Auto Scaling MaxRecords (default 100, at most 100), Route 53 MaxItems (default 300). */
  pageSize?: { autoScaling?: number; route53?: number };
}

export class AwsCloud implements CloudPort {
  readonly regions: RegionCode[];
  readonly stats: AwsCallStats;
  private readonly clients: AwsClients;
  private readonly autoScalingPageSize: number;
  private readonly route53PageSize: number;

  constructor(options: AwsCloudOptions) {
    this.regions = [...options.regions];
    this.clients = new AwsClients({
      regions: this.regions,
      limiter: options.limiter ?? new TokenBuckets(options.rateLimits ?? {}, options.clock),
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      ...(options.connectionTimeoutMs !== undefined ? { connectionTimeoutMs: options.connectionTimeoutMs } : {}),
    });
    this.stats = this.clients.stats;
    this.autoScalingPageSize = Math.min(Math.max(1, options.pageSize?.autoScaling ?? AUTO_SCALING_MAX_RECORDS), AUTO_SCALING_MAX_RECORDS);
    this.route53PageSize = Math.max(1, options.pageSize?.route53 ?? 300);
  }

  /**
   * Every region's tagged groups (in parallel, each on its own client; a region that fails
   * becomes a REGION_UNREADABLE warning) and every managed zone's record sets (a Route 53
   * failure throws, or is a ROUTE53_UNREADABLE warning when asked). With a deadline, each
   * source's calls are cut off at it (withCallDeadline): a region that hangs costs the
   * read that long and no more, and leaves no retries behind.
   */
  async readFleet(options: FleetReadOptions = {}): Promise<FleetReading> {
    const takenAt = new Date().toISOString();
    const bounded = <T>(what: string, work: () => Promise<T>) => (options.deadlineMs !== undefined ? boundedRead(options.deadlineMs, what, work) : work());
    const zonesRead = bounded(`Route 53 (${ROUTE53_REGION})`, () => readManagedZones(this.clients, this.route53PageSize));
    const [perRegion, zones] = await Promise.all([
      Promise.allSettled(this.regions.map((region) => bounded(`Auto Scaling in ${region}`, () => readTaggedGroups(this.clients, region, this.autoScalingPageSize)))),
      options.route53Failure === 'warn' ? zonesRead.then((z) => ({ ok: true as const, zones: z }), (error: unknown) => ({ ok: false as const, error })) : zonesRead.then((z) => ({ ok: true as const, zones: z })),
    ]);
    const groups: AutoScalingGroupReading[] = [];
    const warnings: SnapshotWarning[] = [];
    perRegion.forEach((result, i) => {
      const region = this.regions[i]!;
      if (result.status === 'fulfilled') groups.push(...result.value);
      // The mapped error's message already names the service, the action and the region.
      else warnings.push({ code: 'REGION_UNREADABLE', region, message: messageOf(result.reason), problem: problemOf(result.reason) });
    });
    if (!zones.ok) warnings.push({ code: 'ROUTE53_UNREADABLE', region: ROUTE53_REGION, message: messageOf(zones.error), problem: problemOf(zones.error) });
    return { takenAt, regions: [...this.regions], groups, zones: zones.ok ? zones.zones : [], ...(warnings.length > 0 ? { warnings } : {}) };
  }

  /** Route 53 and each region's Auto Scaling, one cheap call each, cut off at the deadline. */
  async probe(timeoutMs: number): Promise<ReachabilityCheck[]> {
    const check = async (service: string, region: string, call: (signal: AbortSignal) => Promise<unknown>): Promise<ReachabilityCheck> => {
      const target = service === 'route53' ? service : `${service}:${region}`;
      const started = Date.now();
      try {
        await raceSignal(call(AbortSignal.timeout(timeoutMs)), AbortSignal.timeout(timeoutMs + 50));
        return { target, service, region, ok: true, ms: Date.now() - started };
      } catch (e) {
        const error = Date.now() - started >= timeoutMs ? `no answer within ${timeoutMs} ms` : e instanceof Error ? e.message.split('\n')[0]! : String(e);
        return { target, service, region, ok: false, error, ms: Date.now() - started };
      }
    };
    return Promise.all([
      check('route53', ROUTE53_REGION, (abortSignal) => this.clients.route53.send(new GetHostedZoneCountCommand({}), { abortSignal })),
      ...this.regions.map((region) =>
        check('autoscaling', region, (abortSignal) => this.clients.autoScaling(region).send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 1 }), { abortSignal })),
      ),
    ]);
  }

  setGroupSize(update: GroupSizeUpdate): Promise<void> {
    return updateGroupSize(this.clients, update);
  }

  readGroups(region: RegionCode, groups: readonly string[]): Promise<AutoScalingGroupReading[]> {
    return readNamedGroups(this.clients, region, groups, this.autoScalingPageSize);
  }

  readScalingProblems(region: RegionCode, groups: readonly string[], since: string): Promise<ScalingProblem[]> {
    return readScalingProblems(this.clients, region, groups, since, this.autoScalingPageSize);
  }

  setWeights(updates: readonly WeightUpdate[]): Promise<TrafficChange[]> {
    return upsertWeights(this.clients, updates);
  }

  changeStatus(changeId: string): Promise<ChangeStatus> {
    return readChangeStatus(this.clients, changeId);
  }

  readWeights(records: readonly WeightedRecord[]): Promise<Array<number | undefined>> {
    return readRecordWeights(this.clients, records, this.route53PageSize);
  }

  /** Closes the SDK clients' connections. */
  destroy(): void {
    this.clients.destroy();
  }
}

/** A source read within `deadlineMs`; past it, LB_ERR_AWS_UNAVAILABLE naming the source and the deadline. */
async function boundedRead<T>(deadlineMs: number, what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await withCallDeadline(deadlineMs, work);
  } catch (e) {
    if (!(e instanceof CallDeadlineExceeded)) throw e;
    throw new LifeboatError('LB_ERR_AWS_UNAVAILABLE', `${what} did not answer within ${deadlineMs} ms (the deadline of a fleet read for a plan)`, { source: what, deadlineMs });
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function problemOf(e: unknown): Problem {
  return e instanceof LifeboatError ? e.toProblem() : { code: 'LB_ERR_AWS_UNAVAILABLE', message: messageOf(e) };
}
