// Mutation testing of the pure core (npm run mutation; slow, not part of CI). The vitest runner
// reruns only the unit tests that cover src/core (vitest.mutation.config.mts) and the TypeScript
// checker drops mutants that do not compile (tsconfig.mutation.json, src/core alone).
// LIFEBOAT_MUTATE narrows the run, e.g. LIFEBOAT_MUTATE='src/core/planner/**/*.ts'.
const mutate = process.env.LIFEBOAT_MUTATE?.split(',') ?? ['src/core/**/*.ts'];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.mts' },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.mutation.json',
  mutate,
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 85, low: 70, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
