import type { Redis } from 'ioredis';
import { LifeboatError } from '../core/errors';

/**
 * What Redis keeps across a restart: the append-only file, RDB snapshots. lifeboat's queue,
 * checkpoints and leases live there; without either, a restart loses operations mid-way
 * (test/integration/redis-loss.test.ts shows what is left then).
 */
export interface RedisPersistence {
  aof: boolean;
  /** RDB snapshots are configured (`save` not empty); undefined when CONFIG is not allowed and INFO cannot say. */
  rdb: boolean | undefined;
  /** Where it was read: CONFIG GET, or INFO persistence when CONFIG is renamed away or denied (managed Redis, ACLs). */
  source: 'config' | 'info';
}

export async function readPersistence(redis: Redis): Promise<RedisPersistence> {
  try {
    const [, appendonly] = (await redis.call('CONFIG', 'GET', 'appendonly')) as string[];
    const [, save] = (await redis.call('CONFIG', 'GET', 'save')) as string[];
    if (appendonly === undefined) throw new Error('CONFIG GET answered nothing');
    return { aof: appendonly === 'yes', rdb: (save ?? '').trim() !== '', source: 'config' };
  } catch {
    // CONFIG disabled (rename-command CONFIG "", a managed service) or not allowed to this user.
    const info = await redis.info('persistence');
    const aof = /^aof_enabled:1/m.test(info);
    // INFO does not carry the save schedule; a snapshot taken since start shows one runs.
    const saves = /^rdb_saves:(\d+)/m.exec(info);
    return { aof, rdb: saves && Number(saves[1]) > 0 ? true : undefined, source: 'info' };
  }
}

export interface PersistenceVerdict {
  /** Said at start, when Redis could lose lifeboat's records. */
  warning?: string;
  /** Start-up stops with this (production without the operator's acceptance). */
  refusal?: LifeboatError;
}

/**
 * Whether lifeboat may run on this Redis. AOF: fine. Snapshots only: a warning (a crash
 * loses the writes since the last one). Nothing kept, or nothing known to be kept: a
 * warning, and in production a refusal unless LIFEBOAT_ACCEPT_VOLATILE_REDIS says the
 * operator knows.
 */
export function persistenceVerdict(p: RedisPersistence, mode: { production: boolean; acceptVolatile: boolean }, where: string): PersistenceVerdict {
  if (p.aof) return {};
  if (p.rdb === true) {
    return { warning: `Redis (${where}) keeps RDB snapshots only (appendonly no): a crash loses lifeboat's writes since the last snapshot. Turn on appendonly (docs/operating.md, "Redis").` };
  }
  const what = p.rdb === false ? 'has no persistence (appendonly no, no RDB save schedule)' : 'has appendonly off, and its snapshot schedule cannot be read (CONFIG is not allowed)';
  const warning = `Redis (${where}) ${what}: a restart loses every queued and running operation and its region leases.`;
  if (!mode.production || mode.acceptVolatile) return { warning };
  return {
    warning,
    refusal: new LifeboatError(
      'LB_ERR_REDIS_NOT_PERSISTENT',
      `Redis (${where}) ${what}; lifeboat does not start on it in production (NODE_ENV=production)`,
      { aof: p.aof, rdb: p.rdb ?? 'unknown', source: p.source },
    ),
  };
}
