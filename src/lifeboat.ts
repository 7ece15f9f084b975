import type { Queue, Worker } from 'bullmq';
import type { ApiDeps } from './api/api-deps';
import type { AuthConfig } from './api/auth';
import { loadTokens } from './security/tokens';
import { AwsCloud } from './cloud/aws/aws-cloud';
import type { AwsCredentials } from './cloud/aws/aws-clients';
import { RedisTokenBuckets } from './cloud/aws/redis-rate-limiter';
import type { CloudPort } from './cloud/ports';
import { LifeboatError } from './core/errors';
import type { ModelCatalog } from './config/load-models';
import { loadModels } from './config/load-models';
import type { Settings } from './config/settings';
import { loadSettings } from './config/settings';
import { AuditLog } from './jobs/audit-log';
import { logger } from './logger';
import { OperationEvents } from './jobs/operation-events';
import { OperationQueue, RUNBOOKS_QUEUE } from './jobs/operation-queue';
import { QueueHandles } from './jobs/queue-handles';
import { LifeboatMetrics } from './metrics/lifeboat-metrics';
import { auditedCloud } from './operations/audited-cloud';
import { SnapshotCache } from './operations/snapshot-cache';
import type { Schedule } from './jobs/maintenance';
import { loadSchedules, startMaintenance } from './jobs/maintenance';
import { RunbookStore } from './jobs/runbook-store';
import { startRunbookWorker } from './jobs/runbook-worker';
import type { RunbookDeps } from './runbooks/action-context';
import type { RunbookCatalog } from './runbooks/runbook-catalog';
import { loadRunbooks } from './runbooks/runbook-catalog';
import type { RunData } from './runbooks/run-types';
import type { OperationData } from './operations/operation-types';
import { startOperationWorker } from './jobs/operation-worker';
import { OperationStore } from './jobs/operation-store';
import type { Redis } from './jobs/redis';
import { connectRedis } from './jobs/redis';
import { RegionLeases } from './jobs/region-leases';
import type { Clock } from './operations/clock';
import { systemClock } from './operations/clock';

/**
 * The composition root: settings, models, Redis, the cloud adapter and the queue, wired
 * once. The API, the worker, the REPL, the demo and the tests all start from here.
 */
export interface Lifeboat {
  deps: RunbookDeps;
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

export interface LifeboatOverrides {
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
  const models = overrides.models ?? loadModels(settings.LIFEBOAT_MODELS_DIR);
  const runbooks = overrides.runbooks ?? loadRunbooks(settings.LIFEBOAT_RUNBOOKS_DIR);
  const schedulesFile = settings.LIFEBOAT_SCHEDULES_FILE;
  // Files first: a bad one stops start-up before any connection is opened.
  const schedules = loadSchedules(schedulesFile, { runbooks });
  const auth: AuthConfig = { tokens: loadTokens(settings.LIFEBOAT_TOKENS, settings.LIFEBOAT_TOKENS_FILE), insecure: settings.LIFEBOAT_INSECURE_DEV };
  const redis = connectRedis(settings.REDIS_URL, 'lifeboat');
  const prefix = settings.LIFEBOAT_REDIS_PREFIX;
  const clock = overrides.clock ?? systemClock;
  const audit = new AuditLog(redis, prefix, settings.LIFEBOAT_AUDIT_RETENTION_DAYS, () => clock.now());
  const awsCloud = overrides.cloud
    ? undefined
    : new AwsCloud({
        regions: settings.LIFEBOAT_REGIONS,
        ...overrides.aws,
        maxAttempts: settings.AWS_MAX_ATTEMPTS,
        requestTimeoutMs: settings.LIFEBOAT_AWS_REQUEST_TIMEOUT_MS,
        connectionTimeoutMs: settings.LIFEBOAT_AWS_CONNECT_TIMEOUT_MS,
        ...(settings.LIFEBOAT_AWS_RATE_LIMITER === 'redis' ? { limiter: sharedAwsLimiter(redis, prefix) } : {}),
      });
  const rawCloud = overrides.cloud ?? awsCloud!;
  // Every mutation the cloud makes is in the audit trail, whoever asked for it.
  const fleetVersionKey = `${prefix}:fleet-version`;
  const cloud = auditedCloud(rawCloud, audit, clock, () => redis.incr(fleetVersionKey));
  const deps: RunbookDeps = {
    cloud,
    models,
    settings,
    clock,
    audit,
    events: new OperationEvents(redis, prefix),
    snapshots: new SnapshotCache(cloud, clock, settings.LIFEBOAT_SNAPSHOT_CACHE_MS, async () => (await redis.get(fleetVersionKey)) ?? '0'),
    store: new OperationStore(redis, prefix, settings.LIFEBOAT_IDEMPOTENCY_TTL),
    leases: new RegionLeases(redis, prefix),
    queue: new OperationQueue(redis, { prefix, attempts: settings.LIFEBOAT_JOB_ATTEMPTS }),
    runs: new OperationQueue<RunData>(redis, { prefix, attempts: settings.LIFEBOAT_JOB_ATTEMPTS }, RUNBOOKS_QUEUE),
    runbooks,
    runbookStore: new RunbookStore(redis, prefix),
  };
  const queues = new QueueHandles(redis, prefix, [deps.queue.queue, deps.runs.queue] as unknown as Queue[]);
  const metrics = new LifeboatMetrics({
    events: deps.events.local,
    queues: () => queues.all(),
    ...(rawCloud instanceof AwsCloud ? { awsStats: rawCloud.stats } : {}),
    readiness: () => deps.runbookStore.readiness(),
    timeoutMs: settings.LIFEBOAT_METRICS_TIMEOUT_MS,
  });
  const workers: Array<{ close(force?: boolean): Promise<void> }> = [];
  const closers: Array<() => Promise<void>> = [];
  return {
    deps,
    redis,
    auth,
    apiDeps: () => ({ ...deps, redis, auth, metrics, queues }),
    schedules,
    metrics,
    queues,
    startWorker(name) {
      const workerSettings = {
        prefix,
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
      const { queue, worker } = await startMaintenance(redis, deps, schedules);
      closers.push(() => worker.close(), () => queue.close());
    },
    async ready(timeoutMs = 10000) {
      const answered = await Promise.race([
        redis.ping().then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref()),
      ]);
      if (!answered) throw new LifeboatError('LB_ERR_DEPENDENCY_DOWN', `Redis does not answer at ${settings.REDIS_URL}`, { dependency: 'redis' });
    },
    async close() {
      // Work in flight is checkpointed: another worker resumes it, so closing does not wait for it.
      await Promise.all(workers.map((w) => w.close(true)));
      for (const close of closers) await close();
      metrics.close();
      await queues.close();
      await deps.queue.close();
      await deps.runs.close();
      awsCloud?.destroy();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** AWS's quotas count every caller in the account: every lifeboat process draws on the same buckets. */
function sharedAwsLimiter(redis: Redis, prefix: string): RedisTokenBuckets {
  return new RedisTokenBuckets(redis, {
    prefix,
    onFallback: (error) =>
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'AWS rate limiter: Redis did not answer; using this process’s own quota buckets until it does'),
  });
}
