import type { Worker } from 'bullmq';
import { AwsCloud } from './cloud/aws/aws-cloud';
import type { CloudPort } from './cloud/ports';
import { LifeboatError } from './core/errors';
import type { ModelCatalog } from './config/load-models';
import { loadModels } from './config/load-models';
import type { Settings } from './config/settings';
import { loadSettings } from './config/settings';
import { OperationQueue } from './jobs/operation-queue';
import type { OperationData } from './operations/operation-types';
import { startOperationWorker } from './jobs/operation-worker';
import { OperationStore } from './jobs/operation-store';
import type { Redis } from './jobs/redis';
import { connectRedis } from './jobs/redis';
import { RegionLeases } from './jobs/region-leases';
import type { Clock } from './operations/clock';
import { systemClock } from './operations/clock';
import type { LifeboatDeps } from './operations/lifeboat-deps';

/**
 * The composition root: settings, models, Redis, the cloud adapter and the queue, wired
 * once. The API, the worker, the REPL, the demo and the tests all start from here.
 */
export interface Lifeboat {
  deps: LifeboatDeps;
  redis: Redis;
  startWorker(name?: string): Worker<OperationData>;
  /** Resolves once Redis answers; LB_ERR_DEPENDENCY_DOWN after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface LifeboatOverrides {
  settings?: Settings;
  cloud?: CloudPort;
  clock?: Clock;
  models?: ModelCatalog;
}

export function createLifeboat(overrides: LifeboatOverrides = {}): Lifeboat {
  const settings = overrides.settings ?? loadSettings();
  const models = overrides.models ?? loadModels(settings.LIFEBOAT_MODELS_DIR);
  const redis = connectRedis(settings.REDIS_URL, 'lifeboat');
  const prefix = settings.LIFEBOAT_REDIS_PREFIX;
  const cloud = overrides.cloud ?? new AwsCloud({ regions: settings.LIFEBOAT_REGIONS, maxAttempts: settings.AWS_MAX_ATTEMPTS });
  const deps: LifeboatDeps = {
    cloud,
    models,
    settings,
    clock: overrides.clock ?? systemClock,
    store: new OperationStore(redis, prefix, settings.LIFEBOAT_IDEMPOTENCY_TTL),
    leases: new RegionLeases(redis, prefix),
    queue: new OperationQueue(redis, { prefix, attempts: settings.LIFEBOAT_JOB_ATTEMPTS }),
  };
  const workers: Array<Worker<OperationData>> = [];
  return {
    deps,
    redis,
    startWorker(name) {
      const worker = startOperationWorker(redis, deps, {
        prefix,
        concurrency: settings.LIFEBOAT_WORKER_CONCURRENCY,
        lockDurationMs: settings.LIFEBOAT_JOB_LOCK_MS,
        stalledIntervalMs: settings.LIFEBOAT_STALLED_INTERVAL_MS,
        ...(name ? { name } : {}),
      });
      workers.push(worker);
      return worker;
    },
    async ready(timeoutMs = 10000) {
      const answered = await Promise.race([
        redis.ping().then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref()),
      ]);
      if (!answered) throw new LifeboatError('LB_ERR_DEPENDENCY_DOWN', `Redis does not answer at ${settings.REDIS_URL}`, { dependency: 'redis' });
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await deps.queue.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
