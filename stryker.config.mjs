// Mutation testing of the pure core (npm run mutation; slow, not part of CI). The vitest runner
// reruns only the unit tests that cover src/core (vitest.mutation.config.mts) and the TypeScript
// checker drops mutants that do not compile (tsconfig.mutation.json, src/core alone).
// LIFEBOAT_MUTATE narrows the run, e.g. LIFEBOAT_MUTATE='src/core/planner/**/*.ts'.
// LIFEBOAT_MUTATION_NAME names the run's reports (reports/mutation/<name>.json), so the core can
// be scored in parts on a small machine and the parts added up (npm run mutation:score).
const mutate = process.env.LIFEBOAT_MUTATE?.split(',') ?? ['src/core/**/*.ts'];
const name = process.env.LIFEBOAT_MUTATION_NAME ?? 'core';

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
  // Committed: a run reuses what an earlier one found for mutants and tests that have not changed,
  // so src/core can be scored a part at a time across machines (npm run mutation:score -- --from test/mutation/incremental).
  incrementalFile: `test/mutation/incremental/${name}.json`,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  thresholds: { high: 85, low: 70, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
