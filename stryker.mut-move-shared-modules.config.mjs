// Local, uncommitted: the project's mutation config with the test files sharing one module
// cache (vitest isolate: false), so a mutant run does not re-import the core for every file.
import base from './stryker.config.mjs';

export default { ...base, vitest: { configFile: 'vitest.mutation.shared-modules.config.mts' } };
