import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/operations/tokens';
import { freePort } from '../../src/sandbox/free-port';
import type { MotoFleet } from '../support/moto-fleet';
import { startMotoFleet } from '../support/moto-fleet';
import type { Ran } from '../support/production-install';
import {
  BUILD_INPUTS,
  ENTRY_POINTS,
  HEALTHCHECK,
  PACK,
  PRODUCTION_INSTALL,
  UNPACK,
  childEnv,
  globalInstall,
  replToolsInstall,
  sh,
  shCacheFirst,
} from '../support/production-install';
import { testPrefix } from '../support/test-prefix';

/**
 * lifeboat installed as production installs it, in a temporary folder: `npm pack` in a copy of
 * the checkout (the Dockerfile's build stage), then the tarball unpacked and
 * `npm ci --omit=dev --omit=optional` (its runtime stage); the CLI installed globally from the
 * same tarball; the REPL's compiler beside it. Then every entry point runs from dist/ against
 * real Redis and a real moto. One install serves every case: installing is the slow part.
 */

const ROOT = join(__dirname, '..', '..');
const ADMIN_TOKEN = 'lbt_install-test-admin-token-00000';
const REGIONS = ['us-east-1', 'us-west-2'];
const FLEET = {
  regions: REGIONS,
  services: [{ name: 'api', dns: 'api.example.com', regions: Object.fromEntries(REGIONS.map((r) => [r, { desired: 2, min: 1, max: 6, weight: 100 }])) }],
};
const NODE_VERSION_WARNING = /NodeVersionSupportWarning/;

let tmp: string;
let app: string;
let fleet: MotoFleet | undefined;
const installs: Record<string, Ran> = {};
const processes: Running[] = [];
const prefix = testPrefix('install-');

interface Running {
  child: ChildProcessWithoutNullStreams;
  output(): string;
  exited: Promise<number | null>;
}

/** A RAM-backed folder when there is one with room: the installs write (and the end removes) some 35,000 files, slow on a busy disk. */
function scratchDir(): string {
  try {
    const shm = statfsSync('/dev/shm');
    if (shm.bavail * shm.bsize > 2 * 1024 ** 3) return '/dev/shm';
  } catch {
    // No /dev/shm here: the usual temporary folder.
  }
  return tmpdir();
}

function start(command: readonly string[], cwd: string, env: Record<string, string>, input?: string): Running {
  const [bin, ...args] = command;
  const child = spawn(bin!, args, { cwd, env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  if (input !== undefined) child.stdin.end(input);
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const running = { child, output: () => output, exited };
  processes.push(running);
  return running;
}

/** What every lifeboat process here is configured with: Redis, moto, the regions, one admin token, short polls. */
function lifeboatEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    LIFEBOAT_REDIS_PREFIX: prefix,
    LIFEBOAT_REGIONS: REGIONS.join(','),
    LIFEBOAT_TOKENS: JSON.stringify([{ name: 'installer', sha256: hashToken(ADMIN_TOKEN), roles: ['admin'] }]),
    LIFEBOAT_CAPACITY_POLL_MS: '100',
    LIFEBOAT_DNS_POLL_MS: '100',
    LIFEBOAT_DWELL: '0',
    AWS_EC2_METADATA_DISABLED: 'true',
    NODE_ENV: 'production',
    // The shared test Redis keeps nothing across a restart; production refuses that unless told.
    LIFEBOAT_ACCEPT_VOLATILE_REDIS: 'true',
    LOG_LEVEL: 'warn',
    ...fleet!.awsEnv(),
    ...extra,
  };
}

/** Polls `url` until it answers 2xx (the process is starting), failing early if the process ends. */
async function untilAnswers(url: string, running: Running, init: RequestInit = {}, timeoutMs = 30_000): Promise<Response> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (running.child.exitCode !== null) throw new Error(`exited ${running.child.exitCode} before ${url} answered:\n${running.output()}`);
    const res = await fetch(url, init).catch(() => undefined);
    if (res?.ok) return res;
    if (Date.now() > until) throw new Error(`${url} did not answer 2xx in ${timeoutMs} ms:\n${running.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function expectSucceeded(name: string, ran: Ran | undefined): void {
  expect(ran, name).toBeDefined();
  expect(ran!.code, `${name}:\n${ran!.output}`).toBe(0);
}

/** The build stage: a copy of the checkout's build inputs with its dependencies, packed. */
async function pack(): Promise<void> {
  const source = join(tmp, 'checkout');
  for (const input of BUILD_INPUTS) cpSync(join(ROOT, input), join(source, input), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'));
  installs.pack = await sh(PACK, source);
  expectSucceeded('npm pack', installs.pack);
  mkdirSync(app);
  const tarball = readdirSync(tmp).find((f) => /^lifeboat-.*\.tgz$/.test(f))!;
  cpSync(join(tmp, tarball), join(app, tarball));
  cpSync(join(source, 'package-lock.json'), join(app, 'package-lock.json'));
}

/** The runtime stage, the global CLI and the REPL's compiler, at once. */
async function install(): Promise<void> {
  installs.unpack = await sh(UNPACK, app);
  expectSucceeded('unpack', installs.unpack);
  const tarball = readdirSync(tmp).find((f) => /^lifeboat-.*\.tgz$/.test(f))!;
  const [production, global, replTools] = await Promise.all([
    shCacheFirst(PRODUCTION_INSTALL, app),
    shCacheFirst(globalInstall(join(tmp, tarball), join(tmp, 'global')), tmp),
    shCacheFirst(replToolsInstall(join(tmp, 'repl-tools')), tmp),
  ]);
  Object.assign(installs, { production, global, replTools });
}

beforeAll(async () => {
  tmp = mkdtempSync(join(scratchDir(), 'lifeboat-install-'));
  app = join(tmp, 'app');
  const motoStarted = startMotoFleet(FLEET).then((f) => (fleet = f));
  await pack();
  await Promise.all([install(), motoStarted]);
}, 180_000);

/** SIGTERM, as a container stop sends; SIGKILL if it has not exited in 10 s. */
async function stop(p: Running): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const kill = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
  await p.exited;
  clearTimeout(kill);
}

afterEach(async () => {
  await Promise.all(processes.splice(0).map(stop));
}, 30_000);

afterAll(async () => {
  await Promise.all(processes.splice(0).map(stop));
  await fleet?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}, 30_000);

describe('a production install from npm pack', () => {
  it('installs the service without compilers: no ts-node, no typescript, no native addon, and npm says nothing to warn about', () => {
    expectSucceeded('npm ci --omit=dev --omit=optional', installs.production);
    expect(installs.production!.output).not.toMatch(/npm warn/i);
    for (const tool of ['ts-node', 'typescript', '@types/node', 'vitest']) expect(existsSync(join(app, 'node_modules', tool)), tool).toBe(false);
    const addons = readdirSync(join(app, 'node_modules'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.node'));
    expect(addons).toEqual([]);
    expect(existsSync(join(app, 'src')), 'sources are not shipped').toBe(false);
    expect(existsSync(join(app, 'dist', 'src', 'api', 'dashboard', 'index.html'))).toBe(true);
  });

  it('runs the API and a worker from dist: /healthz answers, the image health check passes, the dashboard is served, /v1/status counts both workers', async () => {
    const port = await freePort();
    const service = start(ENTRY_POINTS.service, app, lifeboatEnv({ PORT: String(port), HOST: '127.0.0.1' }));
    const worker = start(ENTRY_POINTS.worker, app, lifeboatEnv());
    const base = `http://127.0.0.1:${port}`;
    await untilAnswers(`${base}/healthz`, service);

    const health = await sh(HEALTHCHECK.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' '), app, { PORT: String(port) });
    expect(health.code, health.output).toBe(0);

    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect((await fetch(`${base}/dashboard/app.js`)).status).toBe(200);

    // /readyz is this process alone (Redis answers), with no token, as a load balancer asks.
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    // Both processes' workers connected, and AWS (moto) reached through the installed SDK: /v1/status.
    const auth = { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } };
    type Status = { status?: { workers?: { connected: number }; aws?: Array<{ service: string; region: string; ok: boolean }> } };
    const until = Date.now() + 60_000;
    let status: Status = {};
    while (status.status?.workers?.connected !== 2 && Date.now() < until) {
      status = (await (await fetch(`${base}/v1/status`, auth)).json()) as Status;
      if (status.status?.workers?.connected !== 2) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status.status?.workers, `${service.output()}\n${worker.output()}`).toEqual({ connected: 2 });
    expect(status.status?.aws?.length).toBeGreaterThan(0);
    expect(status.status?.aws?.filter((a) => !a.ok)).toEqual([]);
    for (const p of [service, worker]) expect(p.output()).not.toMatch(NODE_VERSION_WARNING);
  }, 120_000);

  it('installs the CLI globally from the tarball: `lifeboat --help` answers, and `lifeboat scale --wait` has a worker change the group', async () => {
    expectSucceeded('npm install --global', installs.global);
    expect(installs.global!.output).not.toMatch(/npm warn/i);
    const lifeboat = join(tmp, 'global', 'bin', 'lifeboat');
    const help = start([lifeboat, '--help'], tmp, {});
    expect(await help.exited, help.output()).toBe(0);
    expect(help.output()).toMatch(/^Usage: lifeboat <command>/m);

    const port = await freePort();
    const api = start(ENTRY_POINTS.api, app, lifeboatEnv({ PORT: String(port) }));
    start(ENTRY_POINTS.worker, app, lifeboatEnv());
    await untilAnswers(`http://127.0.0.1:${port}/healthz`, api);
    const scale = start([lifeboat, 'scale', 'us-east-1', 'api', '4', '--wait'], tmp, { LIFEBOAT_URL: `http://127.0.0.1:${port}`, LIFEBOAT_TOKEN: ADMIN_TOKEN });
    expect(await scale.exited, scale.output()).toBe(0);
    const [, desired] = (await fleet!.state()).groups['us-east-1/api-us-east-1']!;
    expect(desired).toBe(4);
    expect(scale.output()).not.toMatch(NODE_VERSION_WARNING);
  }, 120_000);

  it('runs the CLI from dist in the install folder too', async () => {
    const help = start([...ENTRY_POINTS.cli, '--help'], app, {});
    expect(await help.exited, help.output()).toBe(0);
    expect(help.output()).toMatch(/^Usage: lifeboat <command>/m);
  });

  it('starts the REPL from dist: without its compiler it says what to install; with it, it plans', async () => {
    const env = lifeboatEnv({ LIFEBOAT_TOKEN: ADMIN_TOKEN, LIFEBOAT_REPL_HISTORY: join(tmp, 'repl-history') });
    const missing = start(ENTRY_POINTS.repl, app, env, '.exit\n');
    expect(await missing.exited, missing.output()).toBe(1);
    expect(missing.output()).toContain('lifeboat repl: the REPL compiles what you type with ts-node and typescript');
    expect(missing.output()).toContain('hint: install them beside lifeboat and point NODE_PATH at them: npm install --prefix');
    expect(missing.output()).not.toMatch(/^\s+at /m);

    expectSucceeded('the REPL compiler install', installs.replTools);
    const repl = start(ENTRY_POINTS.repl, app, { ...env, NODE_PATH: join(tmp, 'repl-tools', 'node_modules') }, "await plan({kind: 'evacuate', region: 'us-east-1'})\n.exit\n");
    expect(await repl.exited, repl.output()).toBe(0);
    expect(repl.output()).toContain('lifeboat REPL, acting as repl:installer');
    expect(repl.output()).toContain('Plan: evacuate us-east-1');
    expect(repl.output()).not.toMatch(NODE_VERSION_WARNING);
  }, 120_000);

  it('exports the public types, the request schema and the response schemas from one entry, for automation to import', async () => {
    const consumer = join(tmp, 'consumer');
    mkdirSync(join(consumer, 'node_modules'), { recursive: true });
    symlinkSync(join(tmp, 'global', 'lib', 'node_modules', 'lifeboat'), join(consumer, 'node_modules', 'lifeboat'));
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'commonjs' }));
    writeFileSync(
      join(consumer, 'check.ts'),
      [
        "import { operationRequestSchema, operationViewSchema, type FleetReply, type OperationRequest, type OperationView, type Plan } from 'lifeboat';",
        "const request: OperationRequest = operationRequestSchema.parse({ kind: 'evacuate', region: 'us-east-1', stages: 2 });",
        "const state: OperationView['state'] = 'queued';",
        'const blockers = (plan: Plan) => plan.blockers.length;',
        '// An answer is checked with the schema /openapi.json publishes for it.',
        "const viewParses = operationViewSchema.safeParse({ id: 'op_1' }).success;",
        'const takenAt = (reply: FleetReply) => reply.snapshot.takenAt;',
        '// The types are real, not any: each of these is an error.',
        "// @ts-expect-error region is a string",
        "const wrongRequest: OperationRequest = { kind: 'evacuate', region: 1 };",
        "// @ts-expect-error not a state",
        "const wrongState: OperationView['state'] = 'sunk';",
        '// @ts-expect-error a plan has no such field',
        'const wrongField = (plan: Plan) => plan.noSuchField;',
        '// @ts-expect-error a fleet answer has no such field',
        'const wrongReply = (reply: FleetReply) => reply.noSuchField;',
        'void [wrongRequest, wrongState, wrongField, wrongReply, takenAt];',
        'console.log(JSON.stringify({ request, state, blockers: typeof blockers, viewParses }));',
        '',
      ].join('\n'),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const compiled = await sh(
      `node ${tsc} --strict --module nodenext --moduleResolution nodenext --target es2022 --skipLibCheck check.ts`,
      consumer,
    );
    expect(compiled.code, compiled.output).toBe(0);
    const ran = await sh('node check.js', consumer);
    expect(ran.code, ran.output).toBe(0);
    expect(JSON.parse(ran.output)).toEqual({ request: { kind: 'evacuate', region: 'us-east-1', stages: 2 }, state: 'queued', blockers: 'function', viewParses: false });
  });
});
