import IORedis from 'ioredis';
import type { CloudPort } from '../../src/cloud/ports';
import type { Settings } from '../../src/operations/settings';
import { loadSettings } from '../../src/operations/settings';
import { hashToken } from '../../src/operations/tokens';
import type { Lifeboat } from '../../src/app/create-lifeboat';
import { createLifeboat } from '../../src/app/create-lifeboat';
import type { Clock } from '../../src/operations/ports/clock';
import type { OperationState } from '../../src/operations/operation-types';
import type { OperationView } from '../../src/operations/operation-views';
import { getOperation } from '../../src/operations/activity';
import { redisOptions } from '../../src/redis/redis-options';
import { deleteKeysMatching } from './redis-cleanup';
import { testPrefix } from './test-prefix';

/** A token per role, configured (as hashes) in every test lifeboat. */
export const TEST_TOKENS = {
  admin: 'lbt_test-admin-token-0000000000',
  viewer: 'lbt_test-viewer-token-000000000',
  operator: 'lbt_test-operator-token-0000000',
  approver: 'lbt_test-approver-token-0000000',
  approver2: 'lbt_test-approver2-token-000000',
} as const;

const TEST_TOKEN_CONFIG = JSON.stringify([
  { name: 'admin', sha256: hashToken(TEST_TOKENS.admin), roles: ['admin'] },
  { name: 'viewer', sha256: hashToken(TEST_TOKENS.viewer), roles: ['viewer'] },
  { name: 'operator', sha256: hashToken(TEST_TOKENS.operator), roles: ['operator'] },
  { name: 'approver', sha256: hashToken(TEST_TOKENS.approver), roles: ['approver'] },
  { name: 'approver2', sha256: hashToken(TEST_TOKENS.approver2), roles: ['approver', 'operator'] },
]);

/** Settings for tests: short polls and dwell, fast takeover of a dead worker's job, a private Redis prefix. */
export function testSettings(env: Record<string, string> = {}): Settings {
  return loadSettings({
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    LIFEBOAT_REGIONS: 'us-east-1,us-west-2,eu-west-1',
    LIFEBOAT_REDIS_PREFIX: testPrefix(),
    LIFEBOAT_CAPACITY_POLL_MS: '50',
    LIFEBOAT_DNS_POLL_MS: '50',
    LIFEBOAT_DWELL: '0',
    LIFEBOAT_CAPACITY_TIMEOUT: '20',
    LIFEBOAT_JOB_LOCK_MS: '2000',
    LIFEBOAT_STALLED_INTERVAL_MS: '1000',
    LIFEBOAT_TOKENS: TEST_TOKEN_CONFIG,
    // Tests change the cloud behind lifeboat's back (moto resets); the cache has its own tests.
    LIFEBOAT_SNAPSHOT_CACHE_MS: '0',
    // Tests send many changes quickly; the rate limit has its own test.
    LIFEBOAT_RATE_LIMIT_BURST: '100000',
    ...env,
  });
}

export interface TestLifeboat extends Lifeboat {
  waitFor(id: string, states?: OperationState[], timeoutMs?: number): Promise<OperationView>;
  /** Forget which regions are evacuated (for tests that reset the cloud between them). */
  forgetEvacuations(): Promise<void>;
}

/** A lifeboat on real Redis with a private prefix; close() removes every key it made. */
export function testLifeboat(cloud: CloudPort, env: Record<string, string> = {}, clock?: Clock): TestLifeboat {
  const settings = testSettings(env);
  const lb = createLifeboat({ settings, cloud, clock });
  return {
    ...lb,
    async waitFor(id, states = ['succeeded', 'failed', 'refused', 'cancelled'], timeoutMs = 20000) {
      const until = Date.now() + timeoutMs;
      let last: OperationView | undefined;
      while (Date.now() < until) {
        last = await getOperation(id, lb.deps);
        if (states.includes(last.state)) return last;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`operation ${id} did not reach ${states.join('/')} in ${timeoutMs} ms; last state ${last?.state}: ${JSON.stringify(last?.steps.map((s) => [s.id, s.state, s.outcome]))}`);
    },
    async forgetEvacuations() {
      const keys = await lb.redis.keys(`${settings.LIFEBOAT_REDIS_PREFIX}:evacuation:*`);
      if (keys.length) await lb.redis.del(...keys);
    },
    async close() {
      await lb.close().catch(() => undefined);
      // Queues write a few keys as they close: clean up afterwards, with a connection of our own.
      const redis = new IORedis({ ...redisOptions(settings, 'lifeboat-test-cleanup'), maxRetriesPerRequest: 1 });
      try {
        await deleteKeysMatching(redis, `${settings.LIFEBOAT_REDIS_PREFIX}:*`);
      } finally {
        redis.disconnect();
      }
    },
  };
}
