import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { refreshReadiness } from '../operations/refresh-readiness';
import { logger } from '../operations/logger';
import type { RunbookDeps } from '../runbooks/action-context';
import { startRun } from '../runbooks/start-run';

export const MAINTENANCE_QUEUE = 'maintenance';

/** A runbook run on a cron schedule (LIFEBOAT_SCHEDULES_FILE, loaded by src/app/loaders). */
export interface Schedule {
  runbook: string;
  cron: string;
  tz?: string;
  params: Record<string, string | number | boolean>;
}

/**
 * The maintenance queue's job schedulers: N+1 readiness every LIFEBOAT_READINESS_INTERVAL
 * seconds, and each configured runbook schedule (cron). Upserting is idempotent, so every
 * worker may do it at start.
 */
export async function startMaintenance(connection: Redis, deps: RunbookDeps, schedules: readonly Schedule[]): Promise<{ queue: Queue; worker: Worker }> {
  const prefix = deps.settings.LIFEBOAT_REDIS_PREFIX;
  const queue = new Queue(MAINTENANCE_QUEUE, { connection, prefix });
  const interval = deps.settings.LIFEBOAT_READINESS_INTERVAL;
  if (interval > 0) await queue.upsertJobScheduler('readiness', { every: interval * 1000 }, { name: 'readiness', data: {} });
  else await queue.removeJobScheduler('readiness');
  for (const s of schedules) {
    await queue.upsertJobScheduler(`runbook:${s.runbook}:${s.cron}`, { pattern: s.cron, ...(s.tz ? { tz: s.tz } : {}) }, { name: 'runbook', data: { runbook: s.runbook, params: s.params } });
  }
  const worker = new Worker(
    MAINTENANCE_QUEUE,
    async (job) => {
      if (job.name === 'readiness') {
        const report = await refreshReadiness(deps);
        return { ready: report.ready };
      }
      if (job.name === 'runbook') {
        const { runbook, params } = job.data as { runbook: string; params: Record<string, unknown> };
        const view = await startRun(runbook, params, { actor: 'schedule', id: `run_sched_${job.id?.replace(/[^\w]/g, '_')}` }, deps);
        logger.info({ runbook, runId: view.id }, 'scheduled runbook started');
        return { runId: view.id };
      }
      return undefined;
    },
    { connection, prefix, concurrency: 1 },
  );
  return { queue, worker };
}
