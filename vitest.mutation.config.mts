import { defineConfig } from 'vitest/config';

// The unit tests that exercise src/core, and nothing that needs Redis, moto or a process:
// Stryker reruns them once per mutant (npm run mutation, stryker.config.mjs).
export default defineConfig({
  test: {
    include: [
      'test/unit/capacity-models.test.ts',
      'test/unit/capacity-pace.test.ts',
      'test/unit/dark-capacity-plan.test.ts',
      'test/unit/erlang.test.ts',
      'test/unit/erlang-simulation.test.ts',
      'test/unit/error-catalog.test.ts',
      'test/unit/fleet-checks.test.ts',
      'test/unit/group-sizing.test.ts',
      'test/unit/measured-model.test.ts',
      'test/unit/model-math.test.ts',
      'test/unit/partial-plan.test.ts',
      'test/unit/pins.test.ts',
      'test/unit/planner.test.ts',
      'test/unit/reconcile-plan.test.ts',
      'test/unit/reconcile-target.test.ts',
      'test/unit/redistribution.test.ts',
      'test/unit/relief.test.ts',
      'test/unit/restore-capacity.test.ts',
      'test/unit/restore-plan.test.ts',
      'test/unit/runbook-format.test.ts',
      'test/unit/scale-plan.test.ts',
      'test/unit/snapshot.test.ts',
      'test/unit/stages.test.ts',
      'test/unit/suggest.test.ts',
      'test/unit/switch-plan.test.ts',
      'test/unit/text-operation.test.ts',
      'test/unit/text-progress.test.ts',
      'test/unit/validation.test.ts',
      'test/unit/vector-compiler.test.ts',
      'test/unit/weights.test.ts',
    ],
    // A fixed seed for the property tests: a mutant is killed or survives the same way on every
    // run, and a report can be compared with the next one.
    env: { LIFEBOAT_TEST_SEED: process.env.LIFEBOAT_TEST_SEED ?? '1' },
    setupFiles: ['test/support/assertions-required.ts', 'test/support/property-seed.ts'],
    testTimeout: 30_000,
  },
});
