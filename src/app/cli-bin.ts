#!/usr/bin/env node
import { runFromProcess } from './cli-main';

/**
 * The `lifeboat` command: package.json's "bin" is this file compiled
 * (dist/src/app/cli-bin.js), so an installed package runs compiled code only. In a checkout,
 * `npm run cli -- <args>` runs the source through ts-node, and `npx lifeboat` the last build.
 */
runFromProcess();
