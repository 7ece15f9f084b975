import type { Queue, Worker } from 'bullmq';
import type { ApiDeps } from '../api/api-deps';
import type { AuthConfig } from '../api/auth';
import { LifeboatMetrics } from '../api/metrics/lifeboat-metrics';
import type { AccountAccess } from '../cloud/aws/aws-accounts';
import type { ProcessChecks } from '../api/process-checks';
import { redisCheck, workersCheck } from '../api/process-checks';
import { AwsReachability } from '../operations/aws-reachability';
import { AwsCloud } from '../cloud/aws/aws-cloud';
import { DEFAULT_RATE_LIMITS, withBurstMargin } from '../cloud/aws/rate-limiter';
import type { AwsCredentials } from '../cloud/aws/aws-clients';
import type { CloudPort, SwitchBoard } from '../cloud/ports';
import { LifeboatError } from '../core/errors';
import type { ModelCatalog } from '../core/models/capacity-model';
import { OperationQueue, RUNBOOKS_QUEUE } from '../jobs/bullmq-queue';
import type { Schedule } from '../jobs/maintenance';
import { startMaintenance } from '../jobs/maintenance';
import type { WorkerSettings } from '../jobs/operation-worker';
import { startOperationWorker } from '../jobs/operation-worker';
import { QueueHandles } from '../jobs/queue-handles';
import { startRunbookWorker } from '../jobs/runbook-worker';
import { operationActivity } from '../operations/activity';
import { RunStopped } from '../operations/checkpoint-runner';
import { lifeboatAppId } from '../operations/package-root';
import { auditedCloud, auditedSwitchBoard } from '../operations/audited-cloud';
import { logger } from '../operations/logger';
import type { OperationData } from '../operations/operation-types';
import type { Clock } from '../operations/ports/clock';
import { systemClock } from '../operations/ports/clock';
import type { Settings } from '../operations/settings';
import { loadSettings } from '../operations/settings';
import { SnapshotCache } from '../operations/snapshot-cache';
import type { Redis } from '../redis/connect-redis';
import { connectRedis } from '../redis/connect-redis';
import { describeRedis } from '../redis/redis-options';
import { persistenceVerdict, readPersistence } from '../redis/redis-persistence';
import { sharedRedisTopology } from '../redis/redis-topology';
import { RedisAuditLog } from '../redis/redis-audit-log';
import { RedisEventFeed } from '../redis/redis-event-feed';
import { RedisSessionStore } from '../redis/redis-session-store';
import { RedisOperationEvents } from '../redis/redis-operation-events';
import { RedisOperationStore } from '../redis/redis-operation-store';
import { RedisReadinessReports } from '../redis/redis-readiness-reports';
import { RedisRegionLeases } from '../redis/redis-region-leases';
import { RedisLastGoodReadings } from '../redis/redis-last-good-readings';
import { RedisRunbookStore } from '../redis/redis-runbook-store';
import { RedisTokenBuckets } from '../redis/redis-token-buckets';
import type { RunbookDeps } from '../runbooks/action-context';
import { runActivity } from '../runbooks/run-activity';
import type { RunData } from '../runbooks/run-types';
import type { RunbookCatalog } from '../runbooks/runbook-catalog';
import { loadAccounts } from './loaders/load-accounts';
import { loadModels } from './loaders/load-models';
import { loadRunbooks } from './loaders/load-runbooks';
import { loadSchedules } from './loaders/load-schedules';
import { loadTokens } from './loaders/load-tokens';

/**
 * The ports wired to their Redis and BullMQ implementations. The use cases see only the
 * ports (RunbookDeps); the composition root, the tests and the tools keep the concrete types.
 */
interface LifeboatPorts extends RunbookDeps {
  audit: RedisAuditLog;
  events: RedisOperationEvents;
  store: RedisOperationStore;
  leases: RedisRegionLeases;
  readinessReports: RedisReadinessReports;
  queue: OperationQueue;
  runs: OperationQueue<RunData>;
  runbookStore: RedisRunbookStore;
  lastGood: RedisLastGoodReadings;
}

/**
 * The composition root: settings, models, Redis, the cloud adapter and the queue, wired
 * once. The API, the worker, the REPL, the demo and the tests all start from here.
 */
export interface Lifeboat {
  deps: LifeboatPorts;
  redis: Redis;
  /** API tokens (hashes) and whether development mode lets anyone in. */
  auth: AuthConfig;
  /** What the API needs: the deps, the connection and the auth settings. */
  apiDeps(): ApiDeps;
  schedules: Schedule[];
  /** Prometheus metrics of this process (GET /metrics on the API; a worker alone serves them on LIFEBOAT_WORKER_METRICS_PORT). */
  metrics: LifeboatMetrics;
  /** Every queue lifeboat runs (operations, runbooks, maintenance): for metrics and the queue board. */
  queues: QueueHandles;
  /** A worker for operations and one for runbook runs; returns the operations worker. */
  startWorker(name?: string): Worker<OperationData>;
  /**
   * The maintenance queue's worker, and (unless `schedule: false`) its job schedulers: the
   * readiness recompute and the runbook schedules (BullMQ job schedulers, once in Redis
   * whatever the number of processes). Every long-running process that runs workers starts it.
   */
  startMaintenance(options?: { schedule?: boolean }): Promise<void>;
  /** What this process's /readyz checks: Redis answers it, its workers run (a worker process serves it on its health port). */
  processChecks(): Promise<ProcessChecks>;
  /**
   * Resolves once Redis answers (LB_ERR_DEPENDENCY_DOWN after `timeoutMs`) and is fit to
   * hold lifeboat's records: without persistence it warns, and in production refuses
   * (LB_ERR_REDIS_NOT_PERSISTENT) unless LIFEBOAT_ACCEPT_VOLATILE_REDIS.
   */
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

interface LifeboatOverrides {
  settings?: Settings;
  /** Another cloud altogether (the dry-run cloud, a test's); an AwsCloud also serves as the switch board. */
  cloud?: CloudPort;
  /** The region switches' board, when the cloud given is not AWS (or another one is wanted). */
  switches?: SwitchBoard;
  /** AWS at another endpoint (moto, the realism proxy), wired as in production otherwise. */
  aws?: { endpoint?: string; credentials?: AwsCredentials };
  clock?: Clock;
  models?: ModelCatalog;
  runbooks?: RunbookCatalog;
}

export function createLifeboat(overrides: LifeboatOverrides = {}): Lifeboat {
  const settings = overrides.settings ?? loadSettings();
  // Files first: a bad one stops start-up before any connection is opened.
  const files = loadFiles(settings, overrides);
  const redis = connectRedis(settings, 'lifeboat');
  const clock = overrides.clock ?? systemClock;
  const { cloud, awsCloud } = connectCloud(settings, overrides, redis, files);
  const board = overrides.switches ?? (cloud instanceof AwsCloud ? cloud : awsCloud);
  const deps = wirePorts(settings, files, redis, cloud, clock, board);
  const queues = new QueueHandles(redis, settings.LIFEBOAT_REDIS_PREFIX, [deps.queue.queue, deps.runs.queue] as unknown as Queue[]);
  const { reachability, metrics } = observe(settings, deps, cloud, queues);
  const api = apiPorts(redis, settings, deps);
  const workers: Worker[] = [];
  const closers: Array<() => Promise<void>> = [];
  // Aborted on close: running operations and runs stop at their next safe point and go back to the queue.
  const stopping = new AbortController();
  /** What /readyz asks of this process: Redis answers it, and its workers (if it runs any) run. */
  const processChecks = async (): Promise<ProcessChecks> => ({
    redis: await redisCheck(redis),
    ...(workers.length > 0 ? { workers: workersCheck(workers, stopping.signal.aborted) } : {}),
  });
  const redisTopology = sharedRedisTopology(redis, settings);
  return {
    deps,
    redis,
    auth: files.auth,
    apiDeps: () => ({ ...deps, redis, auth: files.auth, metrics, queues, ...api, reachability, processChecks, redisTopology }),
    processChecks,
    schedules: files.schedules,
    metrics,
    queues,
    startWorker(name) {
      const workerSettings = workerSettingsOf(settings, stopping.signal, name);
      const worker = startOperationWorker(redis, deps, workerSettings);
      workers.push(worker, startRunbookWorker(redis, deps, workerSettings) as unknown as Worker);
      return worker;
    },
    async startMaintenance(options = {}) {
      // Only a process given a schedules file owns the runbook schedules (and removes those no longer in it).
      const schedules = settings.LIFEBOAT_SCHEDULES_FILE ? files.schedules : undefined;
      const { queue, worker } = await startMaintenance(redis, deps, schedules, { schedule: options.schedule ?? true });
      closers.push(() => worker.close(), () => queue.close());
    },
    async ready(timeoutMs = 10000) {
      await redisAnswers(redis, describeRedis(settings), timeoutMs);
      await checkPersistence(redis, settings);
    },
    async close() {
      // Hand over: running work stops at its next safe point and goes back to the queue at
      // once, for another worker to carry on from its checkpoint. A step that does not reach
      // one within the grace is left to the stalled check (its work is checkpointed too).
      stopping.abort(new RunStopped('stopping'));
      await Promise.all(workers.map((w) => closeWithin(w, settings.LIFEBOAT_STOP_GRACE_MS)));
      for (const close of closers) await close().catch(() => undefined);
      metrics.close();
      await api.feed.close();
      await queues.close();
      await deps.queue.close();
      await deps.runs.close();
      awsCloud?.destroy();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** What only the API uses: one event feed for every event stream this process serves (one Redis connection, made on first use), and the browser sessions. */
function apiPorts(redis: Redis, settings: Settings, deps: LifeboatPorts): Pick<ApiDeps, 'feed' | 'sessions'> & { feed: RedisEventFeed } {
  const prefix = settings.LIFEBOAT_REDIS_PREFIX;
  return { feed: new RedisEventFeed({ shared: redis, keyOf: (id) => deps.events.keyOf(id), connectionName: `lifeboat-sse:${prefix}` }), sessions: new RedisSessionStore(redis, prefix) };
}

function workerSettingsOf(settings: Settings, stopping: AbortSignal, name: string | undefined): WorkerSettings {
  return {
    prefix: settings.LIFEBOAT_REDIS_PREFIX,
    concurrency: settings.LIFEBOAT_WORKER_CONCURRENCY,
    lockDurationMs: settings.LIFEBOAT_JOB_LOCK_MS,
    stalledIntervalMs: settings.LIFEBOAT_STALLED_INTERVAL_MS,
    stopping,
    ...(name ? { name } : {}),
  };
}

/**
 * What this process shows of itself: its Prometheus metrics, and the AWS endpoints it
 * reaches (probed on demand, shared a few seconds: GET /v1/status, the metrics, the dashboard).
 */
function observe(settings: Settings, deps: LifeboatPorts, cloud: CloudPort, queues: QueueHandles): { reachability: AwsReachability; metrics: LifeboatMetrics } {
  const reachability = new AwsReachability(cloud, settings.LIFEBOAT_AWS_PROBE_TIMEOUT_MS);
  // A test may hand in an AWS adapter of its own: its calls are counted all the same.
  const awsStats = cloud instanceof AwsCloud ? cloud.stats : undefined;
  const metrics = new LifeboatMetrics({
    events: deps.events.local,
    queues: () => queues.all(),
    ...(awsStats ? { awsStats } : {}),
    readiness: () => deps.readinessReports.latest(),
    awsEndpoints: { checks: () => reachability.checks(), timeoutMs: settings.LIFEBOAT_AWS_PROBE_TIMEOUT_MS },
    timeoutMs: settings.LIFEBOAT_METRICS_TIMEOUT_MS,
  });
  return { reachability, metrics };
}

interface StartupFiles {
  models: ModelCatalog;
  runbooks: RunbookCatalog;
  schedules: Schedule[];
  auth: AuthConfig;
  /** The AWS accounts lifeboat manages (LIFEBOAT_ACCOUNTS); none: its own account only. */
  accounts: AccountAccess[];
}

/** Models, runbooks, schedules and tokens, each validated: a bad file names itself and stops start-up. */
function loadFiles(settings: Settings, overrides: LifeboatOverrides): StartupFiles {
  const models = overrides.models ?? loadModels(settings.LIFEBOAT_MODELS_DIR);
  const runbooks = overrides.runbooks ?? loadRunbooks(settings.LIFEBOAT_RUNBOOKS_DIR);
  const schedules = loadSchedules(settings.LIFEBOAT_SCHEDULES_FILE, { runbooks });
  const auth: AuthConfig = { tokens: loadTokens(settings.LIFEBOAT_TOKENS, settings.LIFEBOAT_TOKENS_FILE), insecure: settings.LIFEBOAT_INSECURE_DEV };
  const accounts = loadAccounts(settings.LIFEBOAT_ACCOUNTS, settings.LIFEBOAT_ACCOUNTS_FILE);
  return { models, runbooks, schedules, auth, accounts };
}

/** The cloud the use cases see (a test's, or AWS with its quota buckets in Redis, which lifeboat then owns and destroys), before auditing. */
function connectCloud(settings: Settings, overrides: LifeboatOverrides, redis: Redis, files: StartupFiles): { cloud: CloudPort; awsCloud?: AwsCloud } {
  if (overrides.cloud) return { cloud: overrides.cloud };
  const accounts = files.accounts;
  const awsCloud = new AwsCloud({
    regions: settings.LIFEBOAT_REGIONS,
    ...(accounts.length > 0 ? { accounts } : {}),
    ...overrides.aws,
    ...(settings.AWS_MAX_ATTEMPTS !== undefined ? { maxAttempts: settings.AWS_MAX_ATTEMPTS } : {}),
    appId: lifeboatAppId(),
    requestTimeoutMs: settings.LIFEBOAT_AWS_REQUEST_TIMEOUT_MS,
    connectionTimeoutMs: settings.LIFEBOAT_AWS_CONNECT_TIMEOUT_MS,
    ...(settings.LIFEBOAT_AWS_RATE_LIMITER === 'redis' ? { limiter: sharedAwsLimiter(redis, settings.LIFEBOAT_REDIS_PREFIX) } : {}),
    ...(settings.LIFEBOAT_SWITCH_REGIONS ? { switchRegions: settings.LIFEBOAT_SWITCH_REGIONS } : {}),
    loadMetrics: settings.LIFEBOAT_LOAD_METRICS
      ? { periodSeconds: settings.LIFEBOAT_LOAD_PERIOD_SECONDS, historyDays: settings.LIFEBOAT_LOAD_HISTORY_DAYS, timeoutMs: settings.LIFEBOAT_LOAD_TIMEOUT_MS }
      : false,
  });
  return { cloud: awsCloud, awsCloud };
}

/** Every port on its Redis (or BullMQ) implementation, and the cloud with every mutation audited. */
function wirePorts(settings: Settings, files: StartupFiles, redis: Redis, rawCloud: CloudPort, clock: Clock, board: SwitchBoard | undefined): LifeboatPorts {
  const prefix = settings.LIFEBOAT_REDIS_PREFIX;
  const audit = new RedisAuditLog(redis, prefix, settings.LIFEBOAT_AUDIT_RETENTION_DAYS, () => clock.now());
  // Every mutation the cloud makes is in the audit trail, whoever asked for it.
  const fleetVersionKey = `${prefix}:fleet-version`;
  const cloud = auditedCloud(rawCloud, audit, clock, () => redis.incr(fleetVersionKey));
  // Attaching health checks changes records: the fleet version moves as for any other mutation.
  const switches = board ? auditedSwitchBoard(board, audit, clock, () => redis.incr(fleetVersionKey)) : undefined;
  const queueSettings = { prefix, attempts: settings.LIFEBOAT_JOB_ATTEMPTS };
  const queue = new OperationQueue(redis, queueSettings);
  const lastGood = new RedisLastGoodReadings(redis, prefix);
  const runs = new OperationQueue<RunData>(redis, queueSettings, RUNBOOKS_QUEUE);
  return {
    cloud,
    ...(switches ? { switches } : {}),
    models: files.models,
    settings,
    clock,
    audit,
    events: new RedisOperationEvents(redis, prefix),
    snapshots: new SnapshotCache(cloud, clock, settings.LIFEBOAT_SNAPSHOT_CACHE_MS, async () => (await redis.get(fleetVersionKey)) ?? '0', {
      deadlineMs: settings.LIFEBOAT_PLAN_READ_TIMEOUT_MS,
      lastGood,
    }),
    lastGood,
    store: new RedisOperationStore(redis, prefix, settings.LIFEBOAT_IDEMPOTENCY_TTL),
    leases: new RedisRegionLeases(redis, prefix),
    readinessReports: new RedisReadinessReports(redis, prefix),
    queue,
    runs,
    activities: [operationActivity(queue), runActivity(runs)],
    runbooks: files.runbooks,
    runbookStore: new RedisRunbookStore(redis, prefix),
  };
}

/** Close a worker once its jobs have let go; past `graceMs`, go on without waiting for it. */
async function closeWithin(worker: { close(force?: boolean): Promise<void> }, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), graceMs);
    timer.unref();
  });
  const closed = worker.close().then(() => 'closed' as const, () => 'closed' as const);
  const outcome = await Promise.race([closed, late]).finally(() => clearTimeout(timer));
  if (outcome === 'late') logger.warn({ graceMs }, 'a job did not reach a safe point in time; it is taken over once its lock lapses');
}

/** Warn (once per start) about a Redis that keeps nothing across a restart; in production, refuse it unless accepted. */
async function checkPersistence(redis: Redis, settings: Settings): Promise<void> {
  const where = describeRedis(settings);
  const verdict = persistenceVerdict(await readPersistence(redis), { production: settings.NODE_ENV === 'production', acceptVolatile: settings.LIFEBOAT_ACCEPT_VOLATILE_REDIS }, where);
  if (verdict.refusal) throw verdict.refusal;
  // Accepted (the demo, the bench, an operator who said so): said once, without alarm.
  if (verdict.warning) logger[settings.LIFEBOAT_ACCEPT_VOLATILE_REDIS ? 'info' : 'warn']({ redis: where, accepted: settings.LIFEBOAT_ACCEPT_VOLATILE_REDIS }, verdict.warning);
}

async function redisAnswers(redis: Redis, url: string, timeoutMs: number): Promise<void> {
  const answered = await Promise.race([
    redis.ping().then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref()),
  ]);
  if (!answered) throw new LifeboatError('LB_ERR_DEPENDENCY_DOWN', `Redis does not answer at ${url}`, { dependency: 'redis' });
}

/** Share of each AWS burst lifeboat leaves unused, for calls that arrive at AWS together after a delay on the way. */
const AWS_BURST_MARGIN = 0.2;

/** AWS's quotas count every caller in the account: every lifeboat process draws on the same buckets. */
function sharedAwsLimiter(redis: Redis, prefix: string): RedisTokenBuckets {
  return new RedisTokenBuckets(redis, {
    prefix,
    limits: withBurstMargin(DEFAULT_RATE_LIMITS, AWS_BURST_MARGIN),
    onFallback: (error) =>
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'AWS rate limiter: Redis did not answer; using this process’s own quota buckets until it does'),
  });
}
