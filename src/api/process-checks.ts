import type { Redis } from 'ioredis';
import { withDeadline } from '../operations/deadline';

/** One thing this process needs in order to serve, and how it is. */
export interface Check {
  ok: boolean;
  detail?: string;
}

export type ProcessChecks = Record<string, Check>;

/** How long /readyz waits for Redis to answer a PING. */
const REDIS_CHECK_MS = 1000;

/** Redis answers this process (its own connection), within a second. */
export async function redisCheck(redis: Redis): Promise<Check> {
  if (redis.status !== 'ready') return { ok: false, detail: `connection is ${redis.status}` };
  try {
    await withDeadline(redis.ping(), REDIS_CHECK_MS, 'redis');
    return { ok: true };
  } catch (e) {
    return { ok: false, detail: e instanceof Error ? e.message : String(e) };
  }
}

/** The workers this process runs are running (not stopping, not closed). */
export function workersCheck(workers: ReadonlyArray<{ isRunning(): boolean; closing?: Promise<void> | undefined }>, stopping: boolean): Check {
  if (stopping) return { ok: false, detail: 'stopping: handing its work over' };
  const down = workers.filter((w) => !w.isRunning() || w.closing);
  return down.length === 0 ? { ok: true, detail: `${workers.length} running in this process` } : { ok: false, detail: `${down.length} of ${workers.length} not running` };
}

/**
 * What /readyz answers (the API's and a worker process's alike): 200 when every check of
 * this process holds, else 503 naming what does not. AWS is never among them: an AWS region
 * or endpoint that is down is what lifeboat exists for (GET /v1/status reports it).
 */
export function readinessAnswer(checks: ProcessChecks): { status: number; body: Record<string, unknown> } {
  const failing = Object.entries(checks)
    .filter(([, c]) => !c.ok)
    .map(([name]) => name);
  if (failing.length === 0) return { status: 200, body: { status: 'ready', checks } };
  return {
    status: 503,
    body: {
      status: 'unavailable',
      checks,
      error: {
        code: 'LB_ERR_DEPENDENCY_DOWN',
        message: `not ready: ${failing.join(', ')} ${failing.length > 1 ? 'are' : 'is'} down`,
        hint: 'See checks for what failed.',
        details: { failing },
      },
    },
  };
}
