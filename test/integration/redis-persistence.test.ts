import IORedis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LifeboatError } from '../../src/core/errors';
import { readPersistence } from '../../src/redis/redis-persistence';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import type { MotoFleet } from '../support/moto-fleet';
import { startMotoFleet } from '../support/moto-fleet';
import type { PrivateRedis } from '../support/private-redis';
import { startPrivateRedis } from '../support/private-redis';
import { spawnEntryPoint, workerEnvFor } from '../support/worker-process';

/**
 * At start lifeboat asks Redis what it keeps across a restart (CONFIG GET appendonly and
 * save; INFO persistence when CONFIG is not allowed). Outside production a Redis that keeps
 * nothing is a warning; in production (NODE_ENV=production) it is refused unless
 * LIFEBOAT_ACCEPT_VOLATILE_REDIS says so. Two Redis servers of the test's own: one with AOF,
 * one with no persistence at all; and an ACL user without CONFIG on each.
 */

const USER = 'lifeboat-no-config';
const PASSWORD = 'no-config-password-0000';

let fleet: MotoFleet;
let aof: PrivateRedis;
let volatile: PrivateRedis;
const opened: TestLifeboat[] = [];

beforeAll(async () => {
  [fleet, aof, volatile] = await Promise.all([startMotoFleet({ regions: ['us-east-1'], services: [] }), startPrivateRedis(), startPrivateRedis({ persistent: false })]);
  for (const r of [aof, volatile]) {
    const admin = new IORedis(r.url, { maxRetriesPerRequest: 1 });
    await admin.call('ACL', 'SETUSER', USER, 'on', `>${PASSWORD}`, '~*', '&*', '+@all', '-config');
    admin.disconnect();
  }
}, 60_000);

afterAll(async () => {
  for (const lb of opened) await lb.close();
  await Promise.all([aof?.stop(), volatile?.stop(), fleet?.stop()]);
});

function lifeboatOn(redis: PrivateRedis, env: Record<string, string> = {}): TestLifeboat {
  const lb = testLifeboat(fleet.cloud(), { REDIS_URL: redis.url, LIFEBOAT_REGIONS: 'us-east-1', ...env });
  opened.push(lb);
  return lb;
}

async function refusalOf(work: Promise<unknown>): Promise<LifeboatError | undefined> {
  try {
    await work;
    return undefined;
  } catch (e) {
    if (e instanceof LifeboatError) return e;
    throw e;
  }
}

describe('lifeboat at start, on a Redis without persistence', () => {
  it('reads what Redis keeps with CONFIG, and from INFO persistence when the user may not run CONFIG', async () => {
    const asAdmin = lifeboatOn(aof);
    await asAdmin.ready();
    expect(await readPersistence(asAdmin.redis)).toEqual({ aof: true, rdb: false, source: 'config' });
    // The credentials go with every connection: this one is the ACL user without CONFIG.
    const noConfig = lifeboatOn(aof, { REDIS_USERNAME: USER, REDIS_PASSWORD: PASSWORD });
    await noConfig.ready();
    expect(await noConfig.redis.acl('WHOAMI')).toBe(USER);
    expect(await readPersistence(noConfig.redis)).toEqual({ aof: true, rdb: undefined, source: 'info' });
    expect(await readPersistence(lifeboatOn(volatile).redis)).toEqual({ aof: false, rdb: false, source: 'config' });
  });

  it('outside production it starts (and warns)', async () => {
    await expect(lifeboatOn(volatile).ready()).resolves.toBeUndefined();
  });

  it('in production it refuses with LB_ERR_REDIS_NOT_PERSISTENT and says how to fix or accept it; with AOF, or accepted, it starts', async () => {
    const refused = await refusalOf(lifeboatOn(volatile, { NODE_ENV: 'production' }).ready());
    expect(refused?.code).toBe('LB_ERR_REDIS_NOT_PERSISTENT');
    expect(refused?.message).toContain(volatile.url);
    expect(refused?.hint).toContain('appendonly yes');
    expect(refused?.hint).toContain('LIFEBOAT_ACCEPT_VOLATILE_REDIS');
    // CONFIG not allowed and appendonly off: not known to keep anything, refused the same.
    const blind = await refusalOf(lifeboatOn(volatile, { NODE_ENV: 'production', REDIS_USERNAME: USER, REDIS_PASSWORD: PASSWORD }).ready());
    expect(blind?.code).toBe('LB_ERR_REDIS_NOT_PERSISTENT');
    await expect(lifeboatOn(volatile, { NODE_ENV: 'production', LIFEBOAT_ACCEPT_VOLATILE_REDIS: 'true' }).ready()).resolves.toBeUndefined();
    await expect(lifeboatOn(aof, { NODE_ENV: 'production' }).ready()).resolves.toBeUndefined();
    await expect(lifeboatOn(aof, { NODE_ENV: 'production', REDIS_USERNAME: USER, REDIS_PASSWORD: PASSWORD }).ready()).resolves.toBeUndefined();
  });

  it('the worker entry point in production stops at start with the code and the hint, not a stack', async () => {
    const settings = lifeboatOn(volatile).deps.settings;
    const worker = spawnEntryPoint('worker-main.ts', workerEnvFor(settings, fleet.awsEnv(), { NODE_ENV: 'production' }));
    const code = await new Promise<number | null>((resolve) => worker.child.once('exit', (c) => resolve(c)));
    expect(code, worker.output()).toBe(1);
    expect(worker.output()).toContain('lifeboat-worker: LB_ERR_REDIS_NOT_PERSISTENT');
    expect(worker.output()).toContain('LIFEBOAT_ACCEPT_VOLATILE_REDIS');
    expect(worker.output()).not.toMatch(/\n\s+at /);
  }, 60_000);
});
