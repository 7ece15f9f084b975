import type { Queue, Worker } from 'bullmq';
import type { ApiDeps } from '../api/api-deps';
import type { AuthConfig } from '../api/auth';
import { LifeboatMetrics } from '../api/metrics/lifeboat-metrics';
import type { AccountAccess } from '../cloud/aws/aws-accounts';
import { AwsCloud } from '../cloud/aws/aws-cloud';
import type { AwsCredentials } from '../cloud/aws/aws-clients';
import type { CloudPort } from '../cloud/ports';
import { LifeboatError } from '../core/errors';
import type { ModelCatalog } from '../core/models/capacity-model';
import { OperationQueue, RUNBOOKS_QUEUE } from '../jobs/bullmq-queue';
import type { Schedule } from '../jobs/maintenance';
import { startMaintenance } from '../jobs/maintenance';
import { startOperationWorker } from '../jobs/operation-worker';
import { QueueHandles } from '../jobs/queue-handles';
import { startRunbookWorker } from '../jobs/runbook-worker';
import { operationActivity } from '../operations/activity';
import { auditedCloud } from '../operations/audited-cloud';
import { logger } from '../operations/logger';
import type { OperationData } from '../operations/operation-types';
import type { Clock } from '../operations/ports/clock';
import { systemClock } from '../operations/ports/clock';
import type { Settings } from '../operations/settings';
import { loadSettings } from '../operations/settings';
import { SnapshotCache } from '../operations/snapshot-cache';
import type { Redis } from '../redis/connect-redis';
import { connectRedis } from '../redis/connect-redis';
import { RedisAuditLog } from '../redis/redis-audit-log';
import { RedisEventFeed } from '../redis/redis-event-feed';
import { RedisSessionStore } from '../redis/redis-session-store';
import { RedisOperationEvents } from '../redis/redis-operation-events';
import { RedisOperationStore } from '../redis/redis-operation-store';
import { RedisReadinessReports } from '../redis/redis-readiness-reports';
import { RedisRegionLeases } from '../redis/redis-region-leases';
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
  /** The readiness schedule and configured runbook schedules (BullMQ job schedulers). */
  startMaintenance(): Promise<void>;
  /** Resolves once Redis answers; LB_ERR_DEPENDENCY_DOWN after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

interface LifeboatOverrides {
  settings?: Settings;
  /** Another cloud altogether (the dry-run cloud, a test's). */
  cloud?: CloudPort;
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
  const redis = connectRedis(settings.REDIS_URL, 'lifeboat');
  const clock = overrides.clock ?? systemClock;
  const { cloud, awsCloud } = connectCloud(settings, overrides, redis, files);
  const deps = wirePorts(settings, files, redis, cloud, clock);
  // A test may hand in an AWS adapter of its own: its calls are counted all the same.
  const awsStats = cloud instanceof AwsCloud ? cloud.stats : undefined;
  const queues = new QueueHandles(redis, settings.LIFEBOAT_REDIS_PREFIX, [deps.queue.queue, deps.runs.queue] as unknown as Queue[]);
  const metrics = new LifeboatMetrics({
    events: deps.events.local,
    queues: () => queues.all(),
    ...(awsStats ? { awsStats } : {}),
    readiness: () => deps.readinessReports.latest(),
    timeoutMs: settings.LIFEBOAT_METRICS_TIMEOUT_MS,
  });
  const api = apiPorts(redis, settings, deps);
  const workers: Array<{ close(force?: boolean): Promise<void> }> = [];
  const closers: Array<() => Promise<void>> = [];
  return {
    deps,
    redis,
    auth: files.auth,
    apiDeps: () => ({ ...deps, redis, auth: files.auth, metrics, queues, ...api }),
    schedules: files.schedules,
    metrics,
    queues,
    startWorker(name) {
      const workerSettings = {
        prefix: settings.LIFEBOAT_REDIS_PREFIX,
        concurrency: settings.LIFEBOAT_WORKER_CONCURRENCY,
        lockDurationMs: settings.LIFEBOAT_JOB_LOCK_MS,
        stalledIntervalMs: settings.LIFEBOAT_STALLED_INTERVAL_MS,
        ...(name ? { name } : {}),
      };
      const worker = startOperationWorker(redis, deps, workerSettings);
      workers.push(worker, startRunbookWorker(redis, deps, workerSettings));
      return worker;
    },
    async startMaintenance() {
      const { queue, worker } = await startMaintenance(redis, deps, files.schedules);
      closers.push(() => worker.close(), () => queue.close());
    },
    ready: (timeoutMs = 10000) => redisAnswers(redis, settings.REDIS_URL, timeoutMs),
    async close() {
      // Work in flight is checkpointed: another worker resumes it, so closing does not wait for it.
      await Promise.all(workers.map((w) => w.close(true)));
      for (const close of closers) await close();
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
    maxAttempts: settings.AWS_MAX_ATTEMPTS,
    requestTimeoutMs: settings.LIFEBOAT_AWS_REQUEST_TIMEOUT_MS,
    connectionTimeoutMs: settings.LIFEBOAT_AWS_CONNECT_TIMEOUT_MS,
    ...(settings.LIFEBOAT_AWS_RATE_LIMITER === 'redis' ? { limiter: sharedAwsLimiter(redis, settings.LIFEBOAT_REDIS_PREFIX) } : {}),
    loadMetrics: settings.LIFEBOAT_LOAD_METRICS
      ? { periodSeconds: settings.LIFEBOAT_LOAD_PERIOD_SECONDS, historyDays: settings.LIFEBOAT_LOAD_HISTORY_DAYS, timeoutMs: settings.LIFEBOAT_LOAD_TIMEOUT_MS }
      : false,
  });
  return { cloud: awsCloud, awsCloud };
}

/** Every port on its Redis (or BullMQ) implementation, and the cloud with every mutation audited. */
function wirePorts(settings: Settings, files: StartupFiles, redis: Redis, rawCloud: CloudPort, clock: Clock): LifeboatPorts {
  const prefix = settings.LIFEBOAT_REDIS_PREFIX;
  const audit = new RedisAuditLog(redis, prefix, settings.LIFEBOAT_AUDIT_RETENTION_DAYS, () => clock.now());
  // Every mutation the cloud makes is in the audit trail, whoever asked for it.
  const fleetVersionKey = `${prefix}:fleet-version`;
  const cloud = auditedCloud(rawCloud, audit, clock, () => redis.incr(fleetVersionKey));
  const queueSettings = { prefix, attempts: settings.LIFEBOAT_JOB_ATTEMPTS };
  const queue = new OperationQueue(redis, queueSettings);
  const runs = new OperationQueue<RunData>(redis, queueSettings, RUNBOOKS_QUEUE);
  return {
    cloud,
    models: files.models,
    settings,
    clock,
    audit,
    events: new RedisOperationEvents(redis, prefix),
    snapshots: new SnapshotCache(cloud, clock, settings.LIFEBOAT_SNAPSHOT_CACHE_MS, async () => (await redis.get(fleetVersionKey)) ?? '0'),
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

async function redisAnswers(redis: Redis, url: string, timeoutMs: number): Promise<void> {
  const answered = await Promise.race([
    redis.ping().then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref()),
  ]);
  if (!answered) throw new LifeboatError('LB_ERR_DEPENDENCY_DOWN', `Redis does not answer at ${url}`, { dependency: 'redis' });
}

/** AWS's quotas count every caller in the account: every lifeboat process draws on the same buckets. */
function sharedAwsLimiter(redis: Redis, prefix: string): RedisTokenBuckets {
  return new RedisTokenBuckets(redis, {
    prefix,
    onFallback: (error) =>
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'AWS rate limiter: Redis did not answer; using this process’s own quota buckets until it does'),
  });
}
