import type { AutoScalingGroupReading, FleetReading, HostedZoneReading, LoadReading, RegionCode, SnapshotWarning, WeightedRecord } from '../../core/fleet';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { GetHostedZoneCountCommand } from '@aws-sdk/client-route-53';
import type { ChangeStatus, CloudPort, FleetReadOptions, HealthCheckAttachment, SwitchBoard, GroupPin, GroupProcessUpdate, GroupRef, GroupSizeUpdate, InstanceRefreshReading, ReachabilityCheck, ScalingProblem, TrafficChange, WarmPoolUpdate, WeightUpdate } from '../ports';
import type { Problem } from '../../core/errors';
import type { AlarmState, SwitchDesign, SwitchReading } from '../../core/switches';
import * as switches from './aws-switches';
import { LifeboatError } from '../../core/errors';
import type { AccountAccess } from './aws-accounts';
import { AwsAccounts } from './aws-accounts';
import { AUTO_SCALING_MAX_RECORDS, erasePins, readScalingProblems, updateGroupSize, writePins } from './aws-auto-scaling';
import type { AwsCallStats, AwsClients, AwsCredentials } from './aws-clients';
import { ROUTE53_REGION } from './aws-clients';
import { readInstanceRefreshes, readLiveGroups, readRegionGroups, resumeProcesses, suspendProcesses } from './aws-group-details';
import type { LoadReadOptions } from './aws-load-metrics';
import { deleteWarmPool, putWarmPool } from './aws-warm-pools';
import { DEFAULT_LOAD_READ, readFleetLoad } from './aws-load-metrics';
import { CallDeadlineExceeded, raceSignal, withCallDeadline } from './call-deadline';
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
  /** Several accounts (LIFEBOAT_ACCOUNTS): groups and zones are read and changed in each. */
  accounts?: readonly AccountAccess[];
  /** Attempts per call, the first included. Default: AWS_MAX_ATTEMPTS or the profile's max_attempts as the SDK reads them, else 8. */
  maxAttempts?: number;
  /** The user agent's app id on every request (lifeboat/<version> from the composition root). Default "lifeboat". */
  appId?: string;
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
  /** Control regions of the region switches (LIFEBOAT_SWITCH_REGIONS); by default the managed regions. */
  switchRegions?: readonly RegionCode[];
}

export class AwsCloud implements CloudPort, SwitchBoard {
  readonly regions: RegionCode[];
  readonly controlRegions: readonly RegionCode[];
  readonly stats: AwsCallStats;
  private readonly accounts: AwsAccounts;
  private readonly autoScalingPageSize: number;
  private readonly route53PageSize: number;
  private readonly loadMetrics: LoadReadOptions | false;

  constructor(options: AwsCloudOptions) {
    this.regions = [...options.regions];
    this.controlRegions = [...new Set(options.switchRegions ?? options.regions)];
    this.accounts = new AwsAccounts({
      regions: this.regions,
      alarmRegions: this.controlRegions,
      ...(options.accounts !== undefined ? { accounts: options.accounts } : {}),
      limiter: options.limiter ?? new TokenBuckets(options.rateLimits ?? {}, options.clock),
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.appId !== undefined ? { appId: options.appId } : {}),
      ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      ...(options.connectionTimeoutMs !== undefined ? { connectionTimeoutMs: options.connectionTimeoutMs } : {}),
    });
    this.stats = this.accounts.stats;
    this.autoScalingPageSize = Math.min(Math.max(1, options.pageSize?.autoScaling ?? AUTO_SCALING_MAX_RECORDS), AUTO_SCALING_MAX_RECORDS);
    this.route53PageSize = Math.max(1, options.pageSize?.route53 ?? 300);
    this.loadMetrics = options.loadMetrics ?? {};
  }

  /**
   * Every region's tagged groups in every account, with their details (in parallel, each
   * region on its own client; a region that fails becomes a REGION_UNREADABLE warning), every
   * managed zone's record sets in every account (a Route 53 failure throws, or is a
   * ROUTE53_UNREADABLE warning when asked), and the groups' load. With a deadline, each
   * source's calls are cut off at it (withCallDeadline): a region that hangs costs the read
   * that long and no more, and leaves no retries behind; the load gets what time is left.
   */
  async readFleet(options: FleetReadOptions = {}): Promise<FleetReading> {
    const takenAt = new Date().toISOString();
    const started = Date.now();
    const accounts = this.accounts.all();
    const places = accounts.flatMap((clients) => this.regions.map((region) => ({ clients, region })));
    const bounded = <T>(what: string, work: () => Promise<T>) => (options.deadlineMs !== undefined ? boundedRead(options.deadlineMs, what, work) : work());
    const inAccount = (clients: AwsClients, what: string) => (clients.account ? `${what} (account ${clients.account})` : what);
    const zonesRead = Promise.all(accounts.map((clients) => bounded(inAccount(clients, `Route 53 (${ROUTE53_REGION})`), () => readManagedZones(clients, this.route53PageSize)))).then((z) => z.flat());
    // Each region's load is read as soon as its own groups are: a region that hangs costs its
    // own reads the deadline, never a survivor's load read.
    const readPlace = async ({ clients, region }: (typeof places)[number]) => {
      const read = await bounded(inAccount(clients, `Auto Scaling in ${region}`), () => readRegionGroups(clients, region, this.autoScalingPageSize));
      const leftMs = options.deadlineMs === undefined ? undefined : options.deadlineMs - (Date.now() - started);
      return { ...read, load: await this.readLoad(clients, read.groups, takenAt, leftMs) };
    };
    const [perRegion, zones] = await Promise.all([
      Promise.allSettled(places.map(readPlace)),
      options.route53Failure === 'warn' ? zonesRead.then((z) => ({ ok: true as const, zones: z }), (error: unknown) => ({ ok: false as const, error })) : zonesRead.then((z) => ({ ok: true as const, zones: z })),
    ]);
    const groups: AutoScalingGroupReading[] = [];
    const warnings: SnapshotWarning[] = [];
    const loads: LoadReading[] = [];
    perRegion.forEach((result, i) => {
      const { region, clients } = places[i]!;
      if (result.status === 'fulfilled') {
        groups.push(...result.value.groups);
        warnings.push(...result.value.warnings);
        if (result.value.load) loads.push(result.value.load);
      } else {
        // The mapped error's message already names the service, the action and the region.
        const message = messageOf(result.reason);
        warnings.push({ code: 'REGION_UNREADABLE', region, message: clients.account ? `account ${clients.account}: ${message}` : message, problem: problemOf(result.reason) });
      }
    });
    if (!zones.ok) warnings.push({ code: 'ROUTE53_UNREADABLE', region: ROUTE53_REGION, message: messageOf(zones.error), problem: problemOf(zones.error) });
    const load = mergeLoadReadings(loads);
    return { takenAt, regions: [...this.regions], groups, zones: zones.ok ? (zones.zones as HostedZoneReading[]) : [], ...(warnings.length > 0 ? { warnings } : {}), ...(load ? { load } : {}) };
  }

  /**
   * One region's groups' load from CloudWatch (in one account), unless turned off, within what
   * is left of a plan's deadline; a region CloudWatch fails in (or that runs out of time) is
   * listed in the reading, never thrown.
   */
  private async readLoad(clients: AwsClients, groups: readonly AutoScalingGroupReading[], takenAt: string, leftMs: number | undefined): Promise<LoadReading | undefined> {
    if (this.loadMetrics === false) return undefined;
    const timeoutMs = Math.max(1, Math.min(this.loadMetrics.timeoutMs ?? DEFAULT_LOAD_READ.timeoutMs, leftMs ?? Infinity));
    return readFleetLoad(clients, groups, takenAt, { ...this.loadMetrics, timeoutMs });
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
      check('route53', ROUTE53_REGION, (abortSignal) => this.home.route53.send(new GetHostedZoneCountCommand({}), { abortSignal })),
      ...this.regions.map((region) =>
        check('autoscaling', region, (abortSignal) => this.home.autoScaling(region).send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 1 }), { abortSignal })),
      ),
    ]);
  }

  setGroupSize(update: GroupSizeUpdate): Promise<void> {
    return updateGroupSize(this.accounts.of(update.account), update);
  }

  async recordPins(pins: readonly GroupPin[]): Promise<void> {
    await Promise.all([...byPlace(pins)].map(([, place]) => writePins(this.accounts.of(place.account), place.region, place.items)));
  }

  async erasePins(groups: readonly GroupRef[]): Promise<void> {
    await Promise.all([...byPlace(groups)].map(([, place]) => erasePins(this.accounts.of(place.account), place.region, place.items.map((g) => g.group))));
  }

  readGroups(region: RegionCode, groups: readonly string[], account?: string, options?: { sizesOnly?: boolean }): Promise<AutoScalingGroupReading[]> {
    return readLiveGroups(this.accounts.of(account), region, groups, this.autoScalingPageSize, options?.sizesOnly);
  }

  readScalingProblems(region: RegionCode, groups: readonly string[], since: string, account?: string): Promise<ScalingProblem[]> {
    return readScalingProblems(this.accounts.of(account), region, groups, since, this.autoScalingPageSize);
  }

  setWarmPool(update: WarmPoolUpdate): Promise<void> {
    return putWarmPool(this.accounts.of(update.account), update);
  }

  deleteWarmPool(group: GroupRef): Promise<void> {
    return deleteWarmPool(this.accounts.of(group.account), group);
  }

  suspendProcesses(update: GroupProcessUpdate): Promise<void> {
    return suspendProcesses(this.accounts.of(update.account), update);
  }

  resumeProcesses(update: GroupProcessUpdate): Promise<void> {
    return resumeProcesses(this.accounts.of(update.account), update);
  }

  async readInstanceRefreshes(groups: readonly GroupRef[]): Promise<InstanceRefreshReading[]> {
    const places = new Map<string, { account: string | undefined; region: RegionCode; names: string[] }>();
    for (const g of groups) {
      const key = `${g.account ?? ''}/${g.region}`;
      const place = places.get(key) ?? { account: g.account, region: g.region, names: [] };
      place.names.push(g.group);
      places.set(key, place);
    }
    const found = await Promise.all([...places.values()].map((p) => readInstanceRefreshes(this.accounts.of(p.account), p.region, p.names)));
    return found.flat();
  }

  /** Each account's weights in its own change batches; a change id names its account (account/id) when there are several. */
  async setWeights(updates: readonly WeightUpdate[]): Promise<TrafficChange[]> {
    const byAccount = groupByAccount(updates, (u) => u.record.account);
    const changes = await Promise.all(
      [...byAccount].map(async ([account, mine]) =>
        (await upsertWeights(this.accounts.of(account), mine)).map((c) => (account === undefined ? c : { ...c, changeId: `${account}/${c.changeId}` })),
      ),
    );
    return changes.flat();
  }

  changeStatus(changeId: string): Promise<ChangeStatus> {
    const inAccount = /^(\d{12})\/(.+)$/.exec(changeId);
    if (!inAccount) return readChangeStatus(this.home, changeId);
    return readChangeStatus(this.accounts.of(inAccount[1]), inAccount[2]!);
  }

  async readWeights(records: readonly WeightedRecord[]): Promise<Array<number | undefined>> {
    const byAccount = groupByAccount(records, (r) => r.account);
    const weights = new Map<WeightedRecord, number | undefined>();
    await Promise.all(
      [...byAccount].map(async ([account, mine]) => {
        const read = await readRecordWeights(this.accounts.of(account), mine, this.route53PageSize);
        mine.forEach((r, i) => weights.set(r, read[i]));
      }),
    );
    return records.map((r) => weights.get(r));
  }

  // The region switches live in lifeboat's own (first) account.
  readSwitches(designs: readonly SwitchDesign[]): Promise<Omit<SwitchReading, 'records'>> {
    return switches.readSwitches(this.home, designs);
  }

  putSwitchAlarm(design: SwitchDesign): Promise<void> {
    return switches.putSwitchAlarm(this.home, design);
  }

  ensureSwitchHealthCheck(design: SwitchDesign): Promise<string> {
    return switches.ensureSwitchHealthCheck(this.home, design);
  }

  attachHealthChecks(attachments: readonly HealthCheckAttachment[]): Promise<TrafficChange[]> {
    return switches.attachHealthChecks(this.home, attachments);
  }

  turnSwitch(design: SwitchDesign, position: 'on' | 'off', reason: string): Promise<AlarmState | undefined> {
    return switches.turnSwitch(this.home, design, position, reason);
  }

  /** Closes the SDK clients' connections. */
  destroy(): void {
    this.accounts.destroy();
  }

  /** The clients of lifeboat's first account (its own, when none are listed). */
  private get home(): AwsClients {
    return this.accounts.of(undefined);
  }
}

function groupByAccount<T>(items: readonly T[], accountOf: (item: T) => string | undefined): Map<string | undefined, T[]> {
  const out = new Map<string | undefined, T[]>();
  for (const item of items) {
    const account = accountOf(item);
    out.set(account, [...(out.get(account) ?? []), item]);
  }
  return out;
}

/** The regions' load readings as one (they share the window, which comes from the fleet reading's takenAt). */
function mergeLoadReadings(readings: readonly LoadReading[]): LoadReading | undefined {
  const [first, ...others] = readings;
  if (!first) return undefined;
  const merged: LoadReading = { ...first, groups: [...first.groups], ...(first.unreadable ? { unreadable: [...first.unreadable] } : {}) };
  for (const r of others) {
    merged.groups.push(...r.groups);
    if (r.unreadable) (merged.unreadable ??= []).push(...r.unreadable);
  }
  return merged;
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

/** Items grouped by account and region: one batch of requests per place. */
function byPlace<T extends { region: RegionCode; account?: string }>(items: readonly T[]): Map<string, { region: RegionCode; account: string | undefined; items: T[] }> {
  const places = new Map<string, { region: RegionCode; account: string | undefined; items: T[] }>();
  for (const item of items) {
    const key = `${item.account ?? ''}/${item.region}`;
    if (!places.has(key)) places.set(key, { region: item.region, account: item.account, items: [] });
    places.get(key)!.items.push(item);
  }
  return places;
}
