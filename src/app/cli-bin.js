#!/usr/bin/env node
'use strict';
// `npx lifeboat`: the compiled CLI when `npm run build` has made one, else the TypeScript
// source through ts-node (transpile only: type errors are `npm run typecheck`'s job).
// LIFEBOAT_CLI_FROM_SOURCE=1 always runs the source, so a stale dist/ cannot hide a change.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const compiled = join(root, 'dist', 'src', 'app', 'cli-main.js');
let cli;
if (existsSync(compiled) && !process.env.LIFEBOAT_CLI_FROM_SOURCE) {
  cli = require(compiled);
} else {
  require('ts-node').register({ transpileOnly: true, project: join(root, 'tsconfig.json') });
  cli = require('./cli-main.ts');
}
cli.runFromProcess();
