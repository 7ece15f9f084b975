import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/**
 * How lifeboat is installed and started in production, as data: the Dockerfile's RUN, CMD and
 * HEALTHCHECK lines are these commands (test/unit/dockerfile.test.ts checks it), and
 * test/e2e/production-install.test.ts runs them in a temporary folder. Change one, and both
 * tests say which side is behind.
 */

const ROOT = join(__dirname, '..', '..');

/** What the build stage copies from a checkout (the Dockerfile's COPY lines): what `npm run build` and `npm pack` read. */
export const BUILD_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'tsconfig.types.json', 'README.md', 'src', 'repl', 'models', 'runbooks', 'docs'];

/** The build stage's install, the same command .ci/run uses in a checkout. */
export const CHECKOUT_INSTALL = 'npm ci --no-audit --no-fund';

/** In the checkout, dependencies installed: `npm pack` runs `npm run build` (prepack), then packs dist/ and the data into ../lifeboat-<version>.tgz. */
export const PACK = 'npm pack --pack-destination ..';

/** In an empty folder holding the tarball and package-lock.json: the package's files, as npm packed them. */
export const UNPACK = 'tar -xzf lifeboat-*.tgz --strip-components=1 && rm lifeboat-*.tgz';

/**
 * Then the running service's dependencies, nothing else (the lockfile's versions). --omit=optional because npm keeps typescript with --omit=dev
 * alone (a production dependency names it as an optional peer, npm/cli#7772); it also leaves
 * out msgpackr's native addon (BullMQ then decodes with msgpackr's JavaScript), so the install
 * runs no install script and holds no compiled code.
 */
export const PRODUCTION_INSTALL = 'npm ci --omit=dev --omit=optional --no-audit --no-fund';

/**
 * How automation installs the CLI (docs/cli.md): globally, from the tarball. npm ignores
 * --omit for a global install and, not reading lifeboat's allowScripts there, would warn that
 * msgpackr-extract's install script was skipped; --ignore-scripts says so up front (lifeboat
 * has no install script, and msgpackr loads its prebuilt addon without one).
 */
export function globalInstall(tarball: string, prefix?: string): string {
  return `npm install --global ${prefix ? `--prefix ${prefix} ` : ''}--ignore-scripts --no-audit --no-fund ${tarball}`;
}

/** The Dockerfile's folder for the REPL's compiler (its repl target), and its NODE_PATH. */
export const IMAGE_REPL_TOOLS = '/opt/lifeboat-repl';

/** The versions of ts-node and typescript lifeboat is built and tested with (devDependencies). */
export function replToolVersions(): { tsNode: string; typescript: string } {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  return { tsNode: pkg.devDependencies['ts-node']!, typescript: pkg.devDependencies.typescript! };
}

/** The REPL's compiler, installed beside lifeboat into `prefix`; the REPL finds it through NODE_PATH=<prefix>/node_modules. */
export function replToolsInstall(prefix: string): string {
  const v = replToolVersions();
  return `npm install --prefix ${prefix} --no-audit --no-fund ts-node@${v.tsNode} typescript@${v.typescript}`;
}

/** The entry points, run from the installed package's folder. */
export const ENTRY_POINTS = {
  /** The API and a worker in one process: the image's default command. */
  service: ['node', 'dist/src/app/main.js'],
  api: ['node', 'dist/src/app/api-main.js'],
  worker: ['node', 'dist/src/app/worker-main.js'],
  repl: ['node', 'dist/src/app/repl-main.js'],
  cli: ['node', 'dist/src/app/cli-bin.js'],
  token: ['node', 'dist/src/app/token-main.js'],
} as const;

/** The image's health check: GET /healthz on PORT (no curl in a slim image; node has fetch). */
export const HEALTHCHECK = [
  'node',
  '-e',
  "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))",
];

/** The npm flags that make a test's install read the npm cache first; the image's install has none. */
export const CACHE_FIRST = ['--offline', '--prefer-offline'] as const;

export interface Ran {
  code: number | null;
  output: string;
}

/** The environment of a child: this test's node first on PATH, so npm and `#!/usr/bin/env node` run the same Node. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, ...extra };
}

/** Run a shell command line (as a Dockerfile RUN line runs) in `cwd`; its exit code and stdout+stderr. */
export function sh(command: string, cwd: string, env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/**
 * Run an npm command line reading the cache first: with --offline, and again with
 * --prefer-offline when something was not cached (a fresh machine).
 */
export async function shCacheFirst(command: string, cwd: string): Promise<Ran> {
  const offline = await sh(`${command} ${CACHE_FIRST[0]}`, cwd);
  if (offline.code === 0 || !/ENOTCACHED/.test(offline.output)) return offline;
  return sh(`${command} ${CACHE_FIRST[1]}`, cwd);
}
