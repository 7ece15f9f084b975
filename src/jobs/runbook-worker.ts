import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { logger } from '../logger';
import type { RunbookDeps } from '../runbooks/action-context';
import { runRunbook } from '../runbooks/run-runbook';
import type { RunData } from '../runbooks/run-types';
import { RUNBOOKS_QUEUE } from './operation-queue';
import type { WorkerSettings } from './operation-worker';

/** A BullMQ worker for runbook runs: the job's data is the run's checkpoint. */
export function startRunbookWorker(connection: Redis, deps: RunbookDeps, settings: WorkerSettings): Worker<RunData> {
  const worker = new Worker<RunData>(
    RUNBOOKS_QUEUE,
    async (job) => {
      const outcome = await runRunbook(job.data, deps, {
        save: async (run) => {
          await job.updateData(run);
          await deps.store.touch(run.id);
        },
        isFinalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
      });
      if (outcome.retry) throw outcome.error;
      if (outcome.state === 'failed') throw new UnrecoverableError(job.data.checkpoint.error?.message ?? 'failed');
      return { state: outcome.state };
    },
    {
      connection,
      prefix: settings.prefix,
      // Runs mostly wait (on operations, approvals, time): many fit in one worker.
      concurrency: Math.max(8, settings.concurrency),
      lockDuration: settings.lockDurationMs,
      stalledInterval: settings.stalledIntervalMs,
      maxStalledCount: 10,
      ...(settings.name ? { name: settings.name } : {}),
    },
  );
  worker.on('error', (e: Error) => logger.warn({ err: e.message }, 'worker connection error'));
  return worker;
}
