import IORedis from 'ioredis';
import type { Redis } from 'ioredis';
import type { RedisSettings } from './redis-options';
import { redisOptions } from './redis-options';

/**
 * A Redis connection as BullMQ wants it (no retry limit per request, so a worker waits
 * out a Redis restart or a Sentinel failover instead of failing the operation it is
 * running), to REDIS_URL or to the primary the sentinels name (src/redis/redis-options.ts).
 */
export function connectRedis(settings: RedisSettings, name = 'lifeboat'): Redis {
  return new IORedis(redisOptions(settings, name));
}

export type { Redis };
