import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as TsNode from 'ts-node';
import { packageRoot } from '../src/operations/package-root';

/**
 * What on-call types is TypeScript, compiled (transpile only) by ts-node with typescript.
 * The REPL is the only part of lifeboat that needs them, so they are devDependencies (and
 * optional peerDependencies), and a production install leaves them out: the box or image that
 * runs the REPL adds them beside it, found through NODE_PATH (docs/operating.md, "The REPL in
 * production"). The API, the worker and the CLI never load them.
 */
export class MissingTranspiler extends Error {
  constructor(readonly hint: string) {
    super('the REPL compiles what you type with ts-node and typescript, and this install has neither (a production install leaves them out)');
    this.name = 'MissingTranspiler';
  }
}

/** The versions lifeboat is built and tested with, for the hint; the range if package.json cannot be read. */
function testedVersions(): { tsNode: string; typescript: string } {
  try {
    const pkg = JSON.parse(readFileSync(join(packageRoot(__dirname), 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
    return { tsNode: pkg.devDependencies?.['ts-node'] ?? '10', typescript: pkg.devDependencies?.typescript ?? '5' };
  } catch {
    return { tsNode: '10', typescript: '5' };
  }
}

/** ts-node, resolved as node resolves from here (the package's node_modules, then NODE_PATH); MissingTranspiler with the command to run otherwise. */
export function loadTranspiler(): typeof TsNode {
  const load = createRequire(__filename);
  try {
    load.resolve('typescript');
    return load('ts-node') as typeof TsNode;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    const v = testedVersions();
    throw new MissingTranspiler(
      `install them beside lifeboat and point NODE_PATH at them: npm install --prefix /opt/lifeboat-repl ts-node@${v.tsNode} typescript@${v.typescript} && NODE_PATH=/opt/lifeboat-repl/node_modules node dist/src/app/repl-main.js (the Docker image's repl target does this)`,
    );
  }
}
