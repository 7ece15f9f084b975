import { readFileSync } from 'node:fs';
import type { RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'node:tls';
import { LifeboatError } from '../core/errors';
import type { Settings } from '../operations/settings';

/** The settings every Redis connection lifeboat makes is built from. */
export type RedisSettings = Pick<
  Settings,
  | 'REDIS_URL'
  | 'REDIS_SENTINELS'
  | 'REDIS_SENTINEL_NAME'
  | 'REDIS_SENTINEL_USERNAME'
  | 'REDIS_SENTINEL_PASSWORD'
  | 'REDIS_USERNAME'
  | 'REDIS_PASSWORD'
  | 'REDIS_TLS'
  | 'REDIS_SENTINEL_TLS'
  | 'REDIS_TLS_CA_FILE'
>;

/**
 * ioredis options for one connection, from the settings: either the Redis at REDIS_URL, or
 * the primary the sentinels name (REDIS_SENTINELS, REDIS_SENTINEL_NAME), with credentials
 * and TLS either way. Every connection lifeboat opens starts here (the shared one, and so
 * BullMQ's queues and workers, which duplicate it, and the event feed's reader), so a
 * failover moves all of them.
 */
export function redisOptions(settings: RedisSettings, connectionName: string): RedisOptions {
  const tls = tlsOptions(settings);
  const common: RedisOptions = {
    connectionName,
    lazyConnect: false,
    // BullMQ's requirement, and what lets a worker wait out a restart or a failover instead of failing its operation.
    maxRetriesPerRequest: null,
    // A primary demoted under us (a failover while it lives) refuses writes: reconnect, and the sentinels name the new one.
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
  };
  if (settings.REDIS_SENTINELS) {
    return {
      ...common,
      sentinels: settings.REDIS_SENTINELS,
      name: settings.REDIS_SENTINEL_NAME!,
      role: 'master',
      ...(settings.REDIS_SENTINEL_USERNAME ? { sentinelUsername: settings.REDIS_SENTINEL_USERNAME } : {}),
      ...(settings.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: settings.REDIS_SENTINEL_PASSWORD } : {}),
      ...(settings.REDIS_USERNAME ? { username: settings.REDIS_USERNAME } : {}),
      ...(settings.REDIS_PASSWORD ? { password: settings.REDIS_PASSWORD } : {}),
      // ioredis speaks TLS to the primary in Sentinel mode only when told to twice.
      ...(tls.redis ? { tls: tls.redis, enableTLSForSentinelMode: true } : {}),
      ...(tls.sentinels ? { sentinelTLS: tls.sentinels } : {}),
      // Listen to the sentinels' +switch-master: a failover that leaves the old primary up moves the connection at once.
      failoverDetector: true,
    };
  }
  const url = new URL(settings.REDIS_URL);
  const db = Number(url.pathname.replace(/^\//, '') || 0);
  const username = settings.REDIS_USERNAME ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const password = settings.REDIS_PASSWORD ?? (url.password ? decodeURIComponent(url.password) : undefined);
  return {
    ...common,
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: Number(url.port || 6379),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(tls.redis || url.protocol === 'rediss:' ? { tls: tls.redis ?? {} } : {}),
  };
}

/** Where this process's Redis is, for messages: the URL without its password, or the sentinels and the master name. */
export function describeRedis(settings: RedisSettings): string {
  if (settings.REDIS_SENTINELS) {
    return `the primary "${settings.REDIS_SENTINEL_NAME}" of sentinels ${settings.REDIS_SENTINELS.map((s) => `${s.host}:${s.port}`).join(',')}`;
  }
  const url = new URL(settings.REDIS_URL);
  if (url.password) url.password = '***';
  return url.toString();
}

/** The TLS options for Redis and for the sentinels, each only when asked for; the CA file read once here. */
function tlsOptions(settings: RedisSettings): { redis?: ConnectionOptions; sentinels?: ConnectionOptions } {
  const ca = settings.REDIS_TLS_CA_FILE ? readCa(settings.REDIS_TLS_CA_FILE) : undefined;
  const base: ConnectionOptions = ca ? { ca } : {};
  return {
    ...(settings.REDIS_TLS ? { redis: base } : ca && settings.REDIS_URL.startsWith('rediss:') ? { redis: base } : {}),
    ...(settings.REDIS_SENTINEL_TLS ? { sentinels: base } : {}),
  };
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new LifeboatError(
      'LB_ERR_VALIDATION',
      `environment variable REDIS_TLS_CA_FILE: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`,
      { field: 'REDIS_TLS_CA_FILE', value: file },
      'Point REDIS_TLS_CA_FILE at a readable PEM file of the CA that signed Redis\'s certificate, or unset it to trust the system\'s CAs.',
    );
  }
}

/** ioredis options for a short talk with one sentinel (GET /v1/status asks one about the primary), with the sentinels' credentials and TLS. */
export function sentinelOptions(settings: RedisSettings, sentinel: { host: string; port: number }, timeoutMs: number): RedisOptions {
  const tls = tlsOptions(settings);
  return {
    host: sentinel.host,
    port: sentinel.port,
    ...(settings.REDIS_SENTINEL_USERNAME ? { username: settings.REDIS_SENTINEL_USERNAME } : {}),
    ...(settings.REDIS_SENTINEL_PASSWORD ? { password: settings.REDIS_SENTINEL_PASSWORD } : {}),
    ...(tls.sentinels ? { tls: tls.sentinels } : {}),
    connectionName: 'lifeboat-status',
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    enableReadyCheck: false,
  };
}
