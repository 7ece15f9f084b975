import { randomBytes } from 'node:crypto';

/**
 * A Redis key prefix of its own for a test: `lbtest-<run>-<label><random>`. Every prefix of a
 * test run shares the run's id (set by vitest.config.mts), so the run deletes whatever is left
 * under it at the end, including keys a closing connection wrote after its test cleaned up.
 */
export function testPrefix(label = ''): string {
  return `lbtest-${process.env.LIFEBOAT_TEST_RUN ?? 'adhoc'}-${label}${randomBytes(4).toString('hex')}`;
}
