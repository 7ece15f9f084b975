import type { Job, WorkerOptions } from 'bullmq';
import { UnrecoverableError, WaitingError, Worker } from 'bullmq';
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
  /** Aborted when the process is stopping: running jobs stop at their next safe point and go back to the queue. */
  stopping?: AbortSignal;
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
        ...(settings.stopping ? { stopping: settings.stopping } : {}),
      });
      if ('handedOver' in outcome) return handBack(job, token);
      if ('lostOwnership' in outcome) {
        logger.warn(
          { operationId: job.id },
          'lost the job (its lock lapsed while Redis was away, or Redis lost it): this worker let go; another worker carries it on if it still exists, else GET /v1/fleet shows what it left (reconcile)',
        );
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

/**
 * Give a job back to the queue at once, as the next to be taken, without counting a failed
 * attempt: the worker is stopping, and another worker carries on from the checkpoint now
 * rather than after the stalled check (the job lock, LIFEBOAT_JOB_LOCK_MS). BullMQ's
 * WaitingError tells the worker the job has been moved already.
 */
export async function handBack(job: Job, token: string | undefined): Promise<never> {
  await job.moveToWait(token);
  logger.info({ operationId: job.id }, 'handed back to the queue: another worker carries it on');
  throw new WaitingError();
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
