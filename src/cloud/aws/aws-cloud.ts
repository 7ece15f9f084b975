import type { AutoScalingGroupReading, FleetReading, RegionCode, SnapshotWarning, WeightedRecord } from '../../core/fleet';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { GetHostedZoneCountCommand } from '@aws-sdk/client-route-53';
import type { ChangeStatus, CloudPort, GroupSizeUpdate, ReachabilityCheck, ScalingProblem, TrafficChange, WeightUpdate } from '../ports';
import { AUTO_SCALING_MAX_RECORDS, readNamedGroups, readScalingProblems, readTaggedGroups, updateGroupSize } from './aws-auto-scaling';
import type { AwsCallStats, AwsCredentials } from './aws-clients';
import { AwsClients } from './aws-clients';
import type { LoadReadOptions } from './aws-load-metrics';
import { readFleetLoad } from './aws-load-metrics';
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
  /** How the groups' load is read from CloudWatch (see aws-load-metrics.ts); false reads none. */
  loadMetrics?: LoadReadOptions | false;
}

export class AwsCloud implements CloudPort {
  readonly regions: RegionCode[];
  readonly stats: AwsCallStats;
  private readonly clients: AwsClients;
  private readonly autoScalingPageSize: number;
  private readonly route53PageSize: number;
  private readonly loadMetrics: LoadReadOptions | false;

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
    this.loadMetrics = options.loadMetrics ?? {};
  }

  /**
   * Every region's tagged groups (in parallel; a region that fails becomes a REGION_UNREADABLE
   * warning) and every managed zone's record sets (a Route 53 failure throws).
   */
  async readFleet(): Promise<FleetReading> {
    const takenAt = new Date().toISOString();
    const [perRegion, zones] = await Promise.all([
      Promise.allSettled(this.regions.map((region) => readTaggedGroups(this.clients, region, this.autoScalingPageSize))),
      readManagedZones(this.clients, this.route53PageSize),
    ]);
    const groups: AutoScalingGroupReading[] = [];
    const warnings: SnapshotWarning[] = [];
    perRegion.forEach((result, i) => {
      const region = this.regions[i]!;
      if (result.status === 'fulfilled') {
        groups.push(...result.value);
      } else {
        const reason: unknown = result.reason;
        // The mapped error's message already names the service, the action and the region.
        warnings.push({ code: 'REGION_UNREADABLE', region, message: reason instanceof Error ? reason.message : String(reason) });
      }
    });
    const load = await this.readLoad(groups, takenAt);
    return { takenAt, regions: [...this.regions], groups, zones, ...(warnings.length > 0 ? { warnings } : {}), ...(load ? { load } : {}) };
  }

  /** The groups' load from CloudWatch, unless turned off; a region CloudWatch fails in is listed in it, never thrown. */
  private readLoad(groups: readonly AutoScalingGroupReading[], takenAt: string) {
    return this.loadMetrics === false ? undefined : readFleetLoad(this.clients, groups, takenAt, this.loadMetrics);
  }

  /** Route 53 and each region's Auto Scaling, one cheap call each, cut off at the deadline. */
  async probe(timeoutMs: number): Promise<ReachabilityCheck[]> {
    const check = async (target: string, call: (signal: AbortSignal) => Promise<unknown>): Promise<ReachabilityCheck> => {
      try {
        await call(AbortSignal.timeout(timeoutMs));
        return { target, ok: true };
      } catch (e) {
        return { target, ok: false, error: e instanceof Error ? e.message.split('\n')[0]! : String(e) };
      }
    };
    return Promise.all([
      check('route53', (abortSignal) => this.clients.route53.send(new GetHostedZoneCountCommand({}), { abortSignal })),
      ...this.regions.map((region) =>
        check(`autoscaling:${region}`, (abortSignal) => this.clients.autoScaling(region).send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 1 }), { abortSignal })),
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
