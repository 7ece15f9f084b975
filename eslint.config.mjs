// @ts-check
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

// The core is pure: data in, data out. These are the doors to the outside world it must not open.
const forbiddenInCore = [
  { group: ['@aws-sdk/*', '@smithy/*'], message: 'src/core is pure: talk to AWS through src/cloud ports.' },
  { group: ['bullmq', 'ioredis', 'redis'], message: 'src/core is pure: queues and Redis live in src/jobs and src/redis.' },
  { group: ['express', 'express/*'], message: 'src/core is pure: HTTP lives in src/api.' },
  { group: ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'http', 'https', 'net', 'timers', 'timers/*', 'perf_hooks'], message: 'src/core is pure: no I/O, no clock.' },
];

/**
 * The layers (docs/architecture.md): each folder is an element, and each may import only the
 * elements listed for it. Imports point one way:
 *   core <- cloud <- operations <- runbooks <- {jobs, api, cli, repl} <- app
 * text (the terminal renderer) sits beside the surfaces that print: api, cli, repl.
 * redis implements the ports of operations and runbooks; sandbox (local AWS, the demo) is
 * imported by tests, the demo and the bench, never by the product.
 */
const LAYERS = {
  core: [],
  cloud: ['core'],
  operations: ['core', 'cloud'],
  runbooks: ['core', 'cloud', 'operations'],
  redis: ['core', 'cloud', 'operations', 'runbooks'],
  jobs: ['core', 'cloud', 'operations', 'runbooks'],
  text: ['core', 'operations'],
  api: ['core', 'cloud', 'operations', 'runbooks', 'text'],
  cli: ['core', 'operations', 'text'],
  repl: ['core', 'cloud', 'operations', 'runbooks', 'text'],
  app: ['core', 'cloud', 'operations', 'runbooks', 'redis', 'jobs', 'text', 'api', 'cli', 'repl'],
  sandbox: ['core', 'cloud', 'operations', 'runbooks', 'redis', 'jobs', 'text', 'api', 'cli', 'repl', 'app'],
  test: ['core', 'cloud', 'operations', 'runbooks', 'redis', 'jobs', 'text', 'api', 'cli', 'repl', 'app', 'sandbox'],
};

const elementOf = (type) => ({
  type,
  pattern: type === 'repl' || type === 'test' ? type : `src/${type}`,
  partialMatch: false,
});

export default tseslint.config(
  { ignores: ['dist/**', 'dist-sandbox/**', 'node_modules/**', 'coverage/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', fetch: 'readonly', structuredClone: 'readonly', performance: 'readonly', queueMicrotask: 'readonly', setImmediate: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'writable' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.ts', 'repl/**/*.ts', 'test/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': Object.keys(LAYERS).map(elementOf),
      'import/resolver': { typescript: { project: './tsconfig.json' } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'allow',
          policies: Object.entries(LAYERS).map(([type, allowed]) => ({
            from: { element: { type } },
            disallow: { to: { element: { types: { noneOf: [type, ...allowed] } } } },
            message: `${type} may import only ${[type, ...allowed].join(', ')} (see the layers in eslint.config.mjs)`,
          })),
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: forbiddenInCore }],
      'no-restricted-globals': ['error',
        { name: 'process', message: 'src/core is pure: configuration comes in as arguments.' },
        { name: 'setTimeout', message: 'src/core is pure: no timers.' },
        { name: 'setInterval', message: 'src/core is pure: no timers.' },
        { name: 'performance', message: 'src/core is pure: no clock.' },
        { name: 'fetch', message: 'src/core is pure: no network.' },
      ],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'src/core is pure: take the time as an argument.' },
        { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'src/core is pure: take the time as an argument.' },
        { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'src/core is pure: no randomness.' },
      ],
    },
  },
);
