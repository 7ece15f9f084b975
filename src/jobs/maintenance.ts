import { readFileSync } from 'node:fs';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { parse } from 'yaml';
import { z } from 'zod';
import { LifeboatError } from '../core/errors';
import { computeReadiness } from '../core/readiness';
import type { ReadinessReport } from '../core/readiness';
import type { FleetSnapshot } from '../core/fleet';
import { planContextOf } from '../operations/deps';
import { takeSnapshot } from '../operations/fleet-snapshot';
import { logger } from '../logger';
import type { RunbookDeps } from '../runbooks/action-context';
import { runbookNamed } from '../runbooks/runbook-catalog';
import { startRun } from '../runbooks/start-run';

export const MAINTENANCE_QUEUE = 'maintenance';

/**
 * N+1 readiness now, kept as the latest report: computed from a fresh snapshot, or from the
 * one the caller has just taken (a runbook scope that reads the fleet too).
 */
export async function refreshReadiness(deps: RunbookDeps, snapshot?: FleetSnapshot): Promise<ReadinessReport> {
  const report = computeReadiness(snapshot ?? (await takeSnapshot(deps.cloud)), planContextOf(deps), deps.clock.now().toISOString());
  await deps.runbookStore.saveReadiness(report);
  return report;
}

const schedulesSchema = z.array(
  z
    .object({
      runbook: z.string(),
      cron: z.string().min(9),
      tz: z.string().optional(),
      params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    })
    .strict(),
);

export type Schedule = z.infer<typeof schedulesSchema>[number];

export function loadSchedules(file: string | undefined, deps: Pick<RunbookDeps, 'runbooks'>): Schedule[] {
  if (!file) return [];
  const parsed = schedulesSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LifeboatError('LB_ERR_VALIDATION', `${file}: ${issue.path.join('.')}: ${issue.message}`, { file });
  }
  for (const s of parsed.data) runbookNamed(deps.runbooks, s.runbook);
  return parsed.data;
}

/**
 * The maintenance queue's job schedulers: N+1 readiness every LIFEBOAT_READINESS_INTERVAL
 * seconds, and each configured runbook schedule (cron). Upserting is idempotent, so every
 * worker may do it at start.
 */
export async function startMaintenance(connection: Redis, deps: RunbookDeps, schedules: Schedule[]): Promise<{ queue: Queue; worker: Worker }> {
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
