import IORedis from 'ioredis';
import type { Redis } from 'ioredis';
import type { RedisSettings } from './redis-options';
import { sentinelOptions } from './redis-options';
import { withDeadline } from '../operations/deadline';

const TOPOLOGY_TIMEOUT_MS = 1000;

/** What GET /v1/status says of Redis: this process's connection, the node it reaches and its role; behind Sentinel, the master name and what a sentinel says of it. */
export interface RedisTopology {
  mode: 'standalone' | 'sentinel';
  /** ioredis's connection state (ready, reconnecting, ...). */
  connection: string;
  /** The node this process's connection reaches (host:port), as the socket says. */
  node?: string;
  /** That node's role (INFO replication): master; slave while a failover is under way. */
  role?: string;
  error?: string;
  sentinel?: {
    masterName: string;
    configured: number;
    /** Sentinels monitoring the master, as the first sentinel that answers counts them (itself included); the quorum; the master's address as they name it. */
    monitoring?: number;
    quorum?: number;
    master?: string;
    askedSentinel?: string;
    error?: string;
  };
}

/** How long one answer of redisTopology is shared: GET /v1/status is public to every viewer and polled by dashboards. */
const TOPOLOGY_SHARED_MS = 2000;

/**
 * redisTopology shared for a couple of seconds and between concurrent callers, so a burst of
 * status requests asks Redis and a sentinel once, not once per request (each sentinel question
 * is a new connection).
 */
export function sharedRedisTopology(redis: Redis, settings: RedisSettings, sharedMs = TOPOLOGY_SHARED_MS, now: () => number = Date.now): () => Promise<RedisTopology> {
  let last: { at: number; answer: Promise<RedisTopology> } | undefined;
  return () => {
    if (last && now() - last.at < sharedMs) return last.answer;
    const answer = redisTopology(redis, settings);
    last = { at: now(), answer };
    return answer;
  };
}

export async function redisTopology(redis: Redis, settings: RedisSettings): Promise<RedisTopology> {
  const mode = settings.REDIS_SENTINELS ? 'sentinel' : 'standalone';
  const stream = redis.stream as { remoteAddress?: string; remotePort?: number } | undefined;
  const node = stream?.remoteAddress ? `${stream.remoteAddress}:${stream.remotePort}` : undefined;
  const [role, sentinel] = await Promise.all([nodeRole(redis), settings.REDIS_SENTINELS ? askSentinels(settings) : Promise.resolve(undefined)]);
  return { mode, connection: redis.status, ...(node ? { node } : {}), ...role, ...(sentinel ? { sentinel } : {}) };
}

async function nodeRole(redis: Redis): Promise<{ role?: string; error?: string }> {
  try {
    const info = await withDeadline(redis.info('replication'), TOPOLOGY_TIMEOUT_MS, 'redis');
    const role = /^role:(\w+)/m.exec(info)?.[1];
    return role ? { role } : {};
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** SENTINEL MASTER <name> of the first sentinel that answers within a second: a single cheap call. */
async function askSentinels(settings: RedisSettings): Promise<NonNullable<RedisTopology['sentinel']>> {
  const sentinels = settings.REDIS_SENTINELS ?? [];
  const masterName = settings.REDIS_SENTINEL_NAME!;
  const base = { masterName, configured: sentinels.length };
  let lastError = 'no sentinel answered';
  for (const s of sentinels) {
    const client = new IORedis(sentinelOptions(settings, s, TOPOLOGY_TIMEOUT_MS));
    client.on('error', () => undefined);
    try {
      await withDeadline(client.connect(), TOPOLOGY_TIMEOUT_MS, 'sentinel');
      const flat = (await withDeadline(client.call('SENTINEL', 'MASTER', masterName), TOPOLOGY_TIMEOUT_MS, 'sentinel')) as string[];
      const fields = new Map<string, string>();
      for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!);
      return {
        ...base,
        monitoring: Number(fields.get('num-other-sentinels') ?? 0) + 1,
        quorum: Number(fields.get('quorum')),
        master: `${fields.get('ip')}:${fields.get('port')}`,
        askedSentinel: `${s.host}:${s.port}`,
      };
    } catch (e) {
      lastError = `${s.host}:${s.port}: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      client.disconnect();
    }
  }
  return { ...base, error: lastError };
}
