import { randomBytes } from 'node:crypto';
import { defineConfig } from 'vitest/config';

// One id per test run: every Redis prefix a test uses starts with lbtest-<run>- (see
// test/support/test-prefix.ts), and the run deletes what is left under it when it ends.
const run = process.env.LIFEBOAT_TEST_RUN ?? randomBytes(3).toString('hex');
process.env.LIFEBOAT_TEST_RUN = run;

// Files, and the tests and describe blocks within each file, run in a shuffled order, so no test
// can lean on another having run first: each builds what it reads (its own fleet, operation,
// runbook run or prefix). A story whose order is the behaviour under test is told inside one
// test, or in a describe marked { shuffle: false } with a comment saying why. The seed is printed
// at the start of the run ("Running tests with seed"); LIFEBOAT_TEST_SEED=<seed> npm test (or
// npx vitest run --sequence.seed=<seed> path/to/file.test.ts) replays an order, and the
// examples of the property tests, which draw from the same seed (test/support/property-seed.ts).
const seed = Number(process.env.LIFEBOAT_TEST_SEED ?? Math.floor(Math.random() * 1_000_000));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    env: { LIFEBOAT_TEST_RUN: run, LIFEBOAT_TEST_SEED: String(seed) },
    globalSetup: ['test/support/redis-cleanup.ts'],
    // A test that asserts nothing fails (expect.hasAssertions before each test).
    setupFiles: ['test/support/assertions-required.ts', 'test/support/property-seed.ts'],
    sequence: { shuffle: { files: true, tests: true }, seed },
    // Integration tests start their own moto server and share the real Redis;
    // two cores, so keep the fan-out modest.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
