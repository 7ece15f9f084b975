import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LifeboatError } from '../../src/core/errors';
import { loadSettings } from '../../src/operations/settings';
import { describeRedis, redisOptions } from '../../src/redis/redis-options';
import { persistenceVerdict } from '../../src/redis/redis-persistence';

/** The error loadSettings throws for `env`, or a failure if it accepts it. */
function refusal(env: Record<string, string>): LifeboatError {
  try {
    loadSettings(env);
  } catch (e) {
    if (e instanceof LifeboatError) return e;
    throw e;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('Redis settings: Sentinel, credentials, TLS', () => {
  it('reads the sentinels as host:port pairs (IPv6 in brackets) and the master name', () => {
    const s = loadSettings({ REDIS_SENTINELS: ' 10.0.1.5:26379, sentinel-b:26380,[::1]:26381 ', REDIS_SENTINEL_NAME: 'lifeboat-primary' });
    expect(s.REDIS_SENTINELS).toEqual([
      { host: '10.0.1.5', port: 26379 },
      { host: 'sentinel-b', port: 26380 },
      { host: '::1', port: 26381 },
    ]);
    expect(s.REDIS_SENTINEL_NAME).toBe('lifeboat-primary');
  });

  it('refuses a malformed sentinel list with LB_ERR_VALIDATION naming the variable and the entry, and a hint', () => {
    for (const bad of ['10.0.1.5', 'a:26379,b', 'a:0', 'a:70000', ',']) {
      const e = refusal({ REDIS_SENTINELS: bad, REDIS_SENTINEL_NAME: 'm' });
      expect(e.code, bad).toBe('LB_ERR_VALIDATION');
      expect(e.message, bad).toContain('REDIS_SENTINELS');
      expect(e.details?.field).toBe('REDIS_SENTINELS');
      expect(e.hint).toContain('host:port');
    }
    expect(refusal({ REDIS_SENTINELS: 'a:26379,b', REDIS_SENTINEL_NAME: 'm' }).message).toContain('"b"');
  });

  it('needs the master name with the sentinels, and the sentinels with the name', () => {
    const noName = refusal({ REDIS_SENTINELS: 'a:26379' });
    expect([noName.code, noName.details?.field]).toEqual(['LB_ERR_VALIDATION', 'REDIS_SENTINEL_NAME']);
    expect(noName.hint).toContain('SENTINEL MASTERS');
    const noSentinels = refusal({ REDIS_SENTINEL_NAME: 'm' });
    expect(noSentinels.details?.field).toBe('REDIS_SENTINELS');
  });

  it('never echoes a password back in the error', () => {
    const e = refusal({ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'm', REDIS_TLS: 'yes', REDIS_PASSWORD: 'hunter2' });
    expect(e.details?.field).toBe('REDIS_TLS');
    expect(JSON.stringify(e.toJSON())).not.toContain('hunter2');
  });

  it('builds Sentinel options: the master by name, both credentials, TLS to each side only when asked, the failover detector on', () => {
    const s = loadSettings({
      REDIS_SENTINELS: 'a:26379,b:26379',
      REDIS_SENTINEL_NAME: 'm',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
      REDIS_USERNAME: 'lifeboat',
      REDIS_PASSWORD: 'redis-secret',
      REDIS_TLS: '1',
    });
    const o = redisOptions(s, 'lifeboat');
    expect(o).toMatchObject({
      sentinels: [{ host: 'a', port: 26379 }, { host: 'b', port: 26379 }],
      name: 'm',
      role: 'master',
      sentinelPassword: 'sentinel-secret',
      username: 'lifeboat',
      password: 'redis-secret',
      tls: {},
      enableTLSForSentinelMode: true,
      failoverDetector: true,
      maxRetriesPerRequest: null,
      connectionName: 'lifeboat',
    });
    expect(o.sentinelTLS).toBeUndefined();
    expect(redisOptions(loadSettings({ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'm', REDIS_SENTINEL_TLS: 'true' }), 'x')).toMatchObject({ sentinelTLS: {} });
    expect(describeRedis(s)).toBe('the primary "m" of sentinels a:26379,b:26379');
  });

  it('builds URL options: credentials and database from the URL, REDIS_PASSWORD over the URL’s, rediss:// means TLS', () => {
    const plain = redisOptions(loadSettings({ REDIS_URL: 'redis://u:p%40ss@redis.internal:6380/2' }), 'lifeboat');
    expect(plain).toMatchObject({ host: 'redis.internal', port: 6380, db: 2, username: 'u', password: 'p@ss' });
    expect(plain.tls).toBeUndefined();
    expect(plain.sentinels).toBeUndefined();
    expect(redisOptions(loadSettings({ REDIS_URL: 'redis://:old@h:6379', REDIS_PASSWORD: 'new' }), 'x').password).toBe('new');
    expect(redisOptions(loadSettings({ REDIS_URL: 'rediss://h:6380' }), 'x').tls).toEqual({});
    expect(redisOptions(loadSettings({ REDIS_URL: 'redis://h:6380', REDIS_TLS: 'true' }), 'x').tls).toEqual({});
    expect(describeRedis(loadSettings({ REDIS_URL: 'redis://u:secret@h:6379' }))).not.toContain('secret');
  });

  it('reads the CA file for TLS, and names the variable when it cannot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-ca-'));
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(redisOptions(loadSettings({ REDIS_URL: 'rediss://h:6380', REDIS_TLS_CA_FILE: ca }), 'x').tls).toEqual({ ca: expect.stringContaining('BEGIN CERTIFICATE') });
    let error: unknown;
    try {
      redisOptions(loadSettings({ REDIS_TLS: 'true', REDIS_TLS_CA_FILE: join(dir, 'missing.pem') }), 'x');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LifeboatError);
    expect((error as LifeboatError).details?.field).toBe('REDIS_TLS_CA_FILE');
  });
});

describe('a Redis without persistence', () => {
  const volatile = { aof: false, rdb: false, source: 'config' as const };

  it('AOF on: nothing to say', () => {
    expect(persistenceVerdict({ aof: true, rdb: false, source: 'config' }, { production: true, acceptVolatile: false }, 'r')).toEqual({});
  });

  it('snapshots only: a warning, never a refusal', () => {
    const v = persistenceVerdict({ aof: false, rdb: true, source: 'config' }, { production: true, acceptVolatile: false }, 'r');
    expect(v.warning).toContain('snapshots only');
    expect(v.refusal).toBeUndefined();
  });

  it('outside production: a warning, and lifeboat starts', () => {
    const v = persistenceVerdict(volatile, { production: false, acceptVolatile: false }, 'redis://h:6379');
    expect(v.warning).toContain('no persistence');
    expect(v.refusal).toBeUndefined();
  });

  it('in production: refused with LB_ERR_REDIS_NOT_PERSISTENT, unless accepted', () => {
    const v = persistenceVerdict(volatile, { production: true, acceptVolatile: false }, 'redis://h:6379');
    expect(v.refusal?.code).toBe('LB_ERR_REDIS_NOT_PERSISTENT');
    expect(v.refusal?.hint).toContain('LIFEBOAT_ACCEPT_VOLATILE_REDIS');
    expect(persistenceVerdict(volatile, { production: true, acceptVolatile: true }, 'r').refusal).toBeUndefined();
    // CONFIG not allowed and no snapshot seen: not known to persist, refused the same.
    expect(persistenceVerdict({ aof: false, rdb: undefined, source: 'info' }, { production: true, acceptVolatile: false }, 'r').refusal?.message).toContain('cannot be read');
  });
});
