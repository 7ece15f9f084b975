// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The core is pure: data in, data out. These are the doors to the outside world it must not open.
const forbiddenInCore = [
  { group: ['@aws-sdk/*', '@smithy/*'], message: 'src/core is pure: talk to AWS through src/cloud ports.' },
  { group: ['bullmq', 'ioredis', 'redis'], message: 'src/core is pure: queues and Redis live in src/jobs.' },
  { group: ['express', 'express/*'], message: 'src/core is pure: HTTP lives in src/api.' },
  { group: ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'http', 'https', 'net', 'timers', 'timers/*', 'perf_hooks'], message: 'src/core is pure: no I/O, no clock.' },
  { group: ['../cloud/*', '../jobs/*', '../api/*', '../operations/*', '../../cloud/*', '../../jobs/*', '../../api/*', '../../operations/*'], message: 'src/core must not depend on outer layers.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test-artifacts/**'] },
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
    // The CLI's bin entry is plain CommonJS: it picks the compiled CLI or ts-node at start.
    files: ['src/cli/bin.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
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
