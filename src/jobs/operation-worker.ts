import type { WorkerOptions } from 'bullmq';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { OperationDeps } from '../operations/deps';
import type { OperationData } from '../operations/operation-types';
import { runOperation } from '../operations/run-operation';
import { logger } from '../operations/logger';
import { OPERATIONS_QUEUE } from './bullmq-queue';

export interface WorkerSettings {
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  name?: string;
}

/**
 * A BullMQ worker for the `operations` queue: a thin shell over runOperation. The job's
 * data is the checkpoint; a worker that dies loses its job lock and another one resumes
 * the job from the last checkpoint.
 */
export function startOperationWorker(connection: Redis, deps: OperationDeps, settings: WorkerSettings): Worker<OperationData> {
  const worker = new Worker<OperationData>(
    OPERATIONS_QUEUE,
    async (job, token) => {
      const outcome = await runOperation(job.data, deps, {
        // The snapshot stays out of the job (it is saved beside it); the revision tells views it changed.
        save: async (op) => {
          await job.updateData({ ...op, checkpoint: { ...op.checkpoint, snapshot: undefined } });
          await deps.store.touch(op.id);
        },
        report: async (progress) => {
          await job.updateProgress(progress);
          await deps.store.touch(job.id!);
        },
        isFinalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
        stillOwner: async () => !token || (await job.extendLock(token, settings.lockDurationMs)) === 1,
      });
      if ('lostOwnership' in outcome) {
        logger.warn({ operationId: job.id }, 'lost the job lock (Redis away too long?); another worker carries the operation on');
        return { state: outcome.state, lostOwnership: true };
      }
      if (outcome.retry) throw outcome.error;
      if (outcome.state === 'failed' || outcome.state === 'refused') {
        throw new UnrecoverableError(job.data.checkpoint.error?.message ?? outcome.state);
      }
      return { state: outcome.state, summary: job.data.checkpoint.result?.summary };
    },
    workerOptions(connection, settings, settings.concurrency),
  );
  worker.on('error', (e: Error) => logger.warn({ err: e.message }, 'worker connection error'));
  return worker;
}

/** What every lifeboat worker (operations, runbook runs) is started with. */
export function workerOptions(connection: Redis, settings: WorkerSettings, concurrency: number): WorkerOptions {
  return {
    connection,
    prefix: settings.prefix,
    concurrency,
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    // A job may be taken over several times (several workers crashing) before it gives up.
    maxStalledCount: 10,
    ...(settings.name ? { name: settings.name } : {}),
  };
}
