import { randomBytes } from 'node:crypto';
import { defineConfig } from 'vitest/config';

// One id per test run: every Redis prefix a test uses starts with lbtest-<run>- (see
// test/support/test-prefix.ts), and the run deletes what is left under it when it ends.
const run = process.env.LIFEBOAT_TEST_RUN ?? randomBytes(3).toString('hex');
process.env.LIFEBOAT_TEST_RUN = run;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    env: { LIFEBOAT_TEST_RUN: run },
    globalSetup: ['test/support/redis-cleanup.ts'],
    // Integration tests start their own moto server and share the real Redis;
    // two cores, so keep the fan-out modest.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
