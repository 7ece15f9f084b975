import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { refreshReadiness } from '../operations/refresh-readiness';
import { logger } from '../operations/logger';
import type { RunbookDeps } from '../runbooks/action-context';
import { startRun } from '../runbooks/start-run';

export const MAINTENANCE_QUEUE = 'maintenance';
const READINESS_SCHEDULER = 'readiness';

/** A runbook run on a cron schedule (LIFEBOAT_SCHEDULES_FILE, loaded by src/app/loaders). */
export interface Schedule {
  runbook: string;
  cron: string;
  tz?: string;
  params: Record<string, string | number | boolean>;
}

/**
 * The maintenance queue: its job schedulers (N+1 readiness every LIFEBOAT_READINESS_INTERVAL
 * seconds, and each configured runbook schedule, cron) and a worker that runs their jobs.
 * A job scheduler lives in Redis, once for every process: each process that starts it
 * upserts the same scheduler ids, and each slot's job has one id, so with N processes a
 * schedule still runs once per slot, by whichever worker takes the job. `schedule: false`
 * only runs the jobs (the REPL's worker: it does not own the configuration).
 */
export async function startMaintenance(
  connection: Redis,
  deps: RunbookDeps,
  schedules: readonly Schedule[] | undefined,
  options: { schedule: boolean } = { schedule: true },
): Promise<{ queue: Queue; worker: Worker }> {
  const prefix = deps.settings.LIFEBOAT_REDIS_PREFIX;
  const queue = new Queue(MAINTENANCE_QUEUE, { connection, prefix });
  queue.on('error', (e: Error) => logger.warn({ queue: MAINTENANCE_QUEUE, err: e.message }, 'queue connection error'));
  if (options.schedule) await upsertSchedulers(queue, deps.settings.LIFEBOAT_READINESS_INTERVAL, schedules);
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
  worker.on('error', (e: Error) => logger.warn({ err: e.message }, 'maintenance worker connection error'));
  return { queue, worker };
}

/**
 * Readiness every `interval` seconds (0: none), and the runbook schedules. A process given
 * a schedules file owns them: schedules no longer in it are removed. A process without one
 * (undefined) leaves the runbook schedules as they are.
 */
async function upsertSchedulers(queue: Queue, interval: number, schedules: readonly Schedule[] | undefined): Promise<void> {
  if (interval > 0) await queue.upsertJobScheduler(READINESS_SCHEDULER, { every: interval * 1000 }, { name: 'readiness', data: {} });
  else await queue.removeJobScheduler(READINESS_SCHEDULER);
  if (schedules === undefined) return;
  const wanted = new Map(schedules.map((s) => [`runbook:${s.runbook}:${s.cron}`, s]));
  for (const [id, s] of wanted) {
    await queue.upsertJobScheduler(id, { pattern: s.cron, ...(s.tz ? { tz: s.tz } : {}) }, { name: 'runbook', data: { runbook: s.runbook, params: s.params } });
  }
  for (const existing of await queue.getJobSchedulers(0, -1)) {
    const id = existing.id ?? existing.key;
    if (id.startsWith('runbook:') && !wanted.has(id)) await queue.removeJobScheduler(id);
  }
}
