import IORedis from 'ioredis';
import type { Redis } from 'ioredis';

/**
 * A Redis connection as BullMQ wants it: no retry limit per request, so a worker waits
 * out a Redis restart instead of failing the operation it is running.
 */
export function connectRedis(url: string, name = 'lifeboat'): Redis {
  return new IORedis(url, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false });
}

export type { Redis };
