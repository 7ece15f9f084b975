import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { logger } from '../operations/logger';
import type { RunbookDeps } from '../runbooks/action-context';
import { runRunbook } from '../runbooks/run-runbook';
import type { RunData } from '../runbooks/run-types';
import { RUNBOOKS_QUEUE } from './bullmq-queue';
import type { WorkerSettings } from './operation-worker';
import { handBack, workerOptions } from './operation-worker';

/** A BullMQ worker for runbook runs: the job's data is the run's checkpoint. */
export function startRunbookWorker(connection: Redis, deps: RunbookDeps, settings: WorkerSettings): Worker<RunData> {
  const worker = new Worker<RunData>(
    RUNBOOKS_QUEUE,
    async (job, token) => {
      const outcome = await runRunbook(job.data, deps, {
        save: async (run) => {
          await job.updateData(run);
          await deps.store.touch(run.id);
        },
        isFinalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
        ...(settings.stopping ? { stopping: settings.stopping } : {}),
      });
      if ('handedOver' in outcome) return handBack(job, token);
      if (outcome.retry) throw outcome.error;
      if (outcome.state === 'failed') throw new UnrecoverableError(job.data.checkpoint.error?.message ?? 'failed');
      return { state: outcome.state };
    },
    // Runs mostly wait (on operations, approvals, time): many fit in one worker.
    workerOptions(connection, settings, Math.max(8, settings.concurrency)),
  );
  worker.on('error', (e: Error) => logger.warn({ err: e.message }, 'worker connection error'));
  return worker;
}
