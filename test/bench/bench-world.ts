import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { buildApp } from '../../src/api/app';
import { loadSettings } from '../../src/operations/settings';
import { provideRedis } from '../../src/sandbox/demo/demo-redis';
import type { MotoServer } from '../../src/sandbox/moto/moto-server';
import { startMotoServer } from '../../src/sandbox/moto/moto-server';
import type { DemoFleetSpec } from '../../src/sandbox/fleet/seed-fleet';
import { seedFleet } from '../../src/sandbox/fleet/seed-fleet';
import type { Lifeboat } from '../../src/app/create-lifeboat';
import { createLifeboat } from '../../src/app/create-lifeboat';
import type { ProxyProfileInput } from '../../src/sandbox/proxy/proxy-profile';
import { hashToken, newToken } from '../../src/operations/tokens';
import { stopChild } from '../support/child-process';
import type { ProxyProcess } from './proxy-process';
import { startProxyProcess } from './proxy-process';

const ROOT = join(__dirname, '..', '..');
/** A route with no work behind it: what Express alone costs (see the api scenario). */
export const BARE_ROUTE = '/__bench/bare';

/**
 * The worker and the proxy run compiled, so the worker's memory is lifeboat's: the worker
 * from the production build (npm run build, dist/), the proxy from the sandbox's own build
 * (npm run build:sandbox, dist-sandbox/), since the production build leaves src/sandbox out.
 * LIFEBOAT_BENCH_FROM_SOURCE=1 runs them through ts-node instead (the smoke test).
 */
export function nodeArgs(relativeTs: string): string[] {
  if (process.env.LIFEBOAT_BENCH_FROM_SOURCE === '1') return [join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js'), '--transpile-only', join(ROOT, relativeTs)];
  const [outDir, script] = relativeTs.startsWith('src/sandbox/') ? ['dist-sandbox', 'build:sandbox'] : ['dist', 'build'];
  const compiled = join(ROOT, outDir, relativeTs.replace(/\.ts$/, '.js'));
  if (!existsSync(compiled)) throw new Error(`run \`npm run ${script}\` first: ${compiled} is missing (the bench measures compiled code)`);
  return [compiled];
}
const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' };

export interface WorldOptions {
  regions: string[];
  services: number;
  desired: number;
  /** The fleet to seed, when not the plain one fleetSpec makes. */
  spec?: DemoFleetSpec;
  proxy: ProxyProfileInput;
  /** Settings for the API and the worker (timings). */
  env: Record<string, string>;
}

export interface BenchWorld {
  proxy: ProxyProcess;
  apiUrl: string;
  token: string;
  lb: Lifeboat;
  spec: DemoFleetSpec;
  worker: ChildProcess;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  workerPeakRssMb(): number | undefined;
  stop(): Promise<void>;
}

export function fleetSpec(regions: string[], services: number, desired: number): DemoFleetSpec {
  return {
    regions,
    services: Array.from({ length: services }, (_, i) => {
      const name = `svc${String(i).padStart(3, '0')}`;
      return { name, dns: `${name}.example.com`, regions: Object.fromEntries(regions.map((r) => [r, { desired, min: 1, max: desired * 4, weight: 100 }])) };
    }),
  };
}

/**
 * moto behind the AWS realism proxy (its own process, as AWS is), a seeded fleet, Redis,
 * lifeboat's API in this process and one worker in its own process (compiled, so its memory
 * is lifeboat's, not the TypeScript compiler's).
 */
export async function startWorld(options: WorldOptions): Promise<BenchWorld> {
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const moto: MotoServer = await startMotoServer();
    stops.push(() => moto.stop());
    const spec = options.spec ?? fleetSpec(options.regions, options.services, options.desired);
    // Seeded straight into moto: the fleet's creation is not what is measured.
    await seedFleet(spec, { endpoint: moto.endpoint, credentials: CREDENTIALS });
    const proxy = await startProxyProcess(ROOT, nodeArgs('src/sandbox/proxy/proxy-main.ts'), moto.endpoint, options.proxy);
    stops.push(() => proxy.stop());
    const redis = await provideRedis(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
    stops.push(() => redis.stop());

    const token = newToken();
    const env: Record<string, string> = {
      REDIS_URL: redis.url,
      LIFEBOAT_REDIS_PREFIX: redis.prefix,
      LIFEBOAT_REGIONS: options.regions.join(','),
      LIFEBOAT_TOKENS: JSON.stringify([{ name: 'bench', sha256: hashToken(token), roles: ['admin'] }]),
      LIFEBOAT_RATE_LIMIT_BURST: '1000000',
      LIFEBOAT_READINESS_INTERVAL: '0',
      // A throwaway Redis (no persistence), as the demo's: said without a warning.
      LIFEBOAT_ACCEPT_VOLATILE_REDIS: 'true',
      // The plan path's short per-region deadline is for outages; a cold first read of a large
      // fleet on a busy machine can outlast it, and the bench measures throughput, not outages.
      LIFEBOAT_PLAN_READ_TIMEOUT_MS: '30000',
      LOG_LEVEL: 'warn',
      ...options.env,
    };
    const settings = loadSettings(env);
    // Wired as in production: the API's AWS calls share the quota buckets with the worker's.
    const lb = createLifeboat({ settings, aws: { endpoint: proxy.endpoint, credentials: CREDENTIALS } });
    stops.push(() => lb.close());
    await lb.ready();
    // The framework's floor, served by the same process and event loop as lifeboat's routes:
    // the api scenario compares lifeboat's p99 with this route's, measured side by side.
    const app = express();
    app.get(BARE_ROUTE, (_req, res) => {
      res.json({ ok: true });
    });
    app.use(buildApp(lb.apiDeps()));
    const server: Server = app.listen(0, '127.0.0.1');
    stops.push(() => new Promise((r) => server.close(r)));
    await new Promise((r) => server.once('listening', r));
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const worker = spawn(process.execPath, nodeArgs('src/app/worker-main.ts'), {
      cwd: ROOT,
      env: { ...process.env, ...env, AWS_ENDPOINT_URL: proxy.endpoint, AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let workerErrors = '';
    worker.stderr!.on('data', (d: Buffer) => (workerErrors += d.toString()));
    stops.push(() => stopChild(worker, 'SIGTERM'));
    // 30 s unless LIFEBOAT_BENCH_WORKER_START_MS says more (a machine shared with other work starts Node slowly).
    const until = Date.now() + Number(process.env.LIFEBOAT_BENCH_WORKER_START_MS ?? 30_000);
    while ((await lb.deps.queue.workersCount()) < 1) {
      if (Date.now() > until || worker.exitCode !== null) throw new Error(`the worker did not start:\n${workerErrors}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    return {
      proxy,
      apiUrl,
      token,
      lb,
      spec,
      worker,
      async call(method, path, body) {
        const res = await fetch(apiUrl + path, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        return { status: res.status, body: await res.json() };
      },
      workerPeakRssMb() {
        try {
          const status = readFileSync(`/proc/${worker.pid}/status`, 'utf8');
          const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
          return Number.isFinite(kb) ? Math.round(kb / 102.4) / 10 : undefined;
        } catch {
          return undefined;
        }
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Wait until the operation finishes, polling gently; returns its view. */
export async function finished(world: BenchWorld, id: string, timeoutMs = 600_000): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await world.call('GET', `/v1/operations/${id}`);
    if (['succeeded', 'failed', 'refused', 'cancelled'].includes(body.operation?.state)) return body.operation;
    if (Date.now() > until) throw new Error(`operation ${id} still ${body.operation?.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
