import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoFleetSpec } from '../../../src/sandbox/fleet/seed-fleet';
import { freePort } from '../../../src/sandbox/free-port';
import type { ApiResponse } from '../../support/api-client';
import { apiClient } from '../../support/api-client';
import { eventually } from '../../support/eventually';
import type { TestLifeboat } from '../../support/harness';
import { testLifeboat } from '../../support/harness';
import type { ProxiedFleet } from '../../support/proxied-fleet';
import { startProxiedFleet } from '../../support/proxied-fleet';
import type { WorkerProcess } from '../../support/worker-process';
import { WorkerPool, workerEnvFor } from '../../support/worker-process';

/**
 * lifeboat as deployed, for the scenario suite: moto behind the fault proxy, `npm start`
 * (src/app/main.ts: the API, a worker and the maintenance) and `npm run worker`
 * (src/app/worker-main.ts) as processes of their own on one Redis prefix. The test talks to
 * the API over HTTP and reads AWS straight from moto; the in-process lifeboat (`lb`) runs
 * nothing, it only reads Redis and cleans the prefix up at the end.
 */
export interface DeployedLifeboat {
  pf: ProxiedFleet;
  lb: TestLifeboat;
  api: ReturnType<typeof apiClient>;
  main: WorkerProcess;
  worker: WorkerProcess;
  /** Both processes' output, for failure messages. */
  output(): string;
  /** Polls the operation over HTTP until it has finished; its view. */
  finished(id: string, timeoutMs?: number): Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Submits an operation over HTTP (202 expected) and waits for it to finish. */
  run(body: Record<string, unknown>, timeoutMs?: number): Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stop(): Promise<void>;
}

export interface DeployOptions {
  /** Extra environment for both processes. */
  env?: Record<string, string>;
  /** A schedules file's YAML (LIFEBOAT_SCHEDULES_FILE). */
  schedules?: string;
}

const FINISHED = ['succeeded', 'failed', 'refused', 'cancelled'];
/** How long the processes may take to start; a file's beforeAll allows for it (STARTUP_HOOK_MS). */
const STARTUP_MS = 180_000;
export const STARTUP_HOOK_MS = 2 * STARTUP_MS + 60_000;

/** Stops of every deployment started in this file, so afterAll can stop one whose start timed out half way. */
const started: Array<() => Promise<void>> = [];

/** Stops whatever this file started (processes, moto, proxy), even if its start never returned. */
export async function stopEveryDeployment(): Promise<void> {
  for (const stop of started.splice(0)) await stop().catch(() => undefined);
}

export async function startDeployedLifeboat(spec: DemoFleetSpec, options: DeployOptions = {}): Promise<DeployedLifeboat> {
  const pf = await startProxiedFleet(spec);
  const settingsEnv = {
    LIFEBOAT_REGIONS: spec.regions.join(','),
    // One worker per process and a loaded machine: a job is taken over only when its process dies.
    LIFEBOAT_JOB_LOCK_MS: '30000',
    LIFEBOAT_STALLED_INTERVAL_MS: '30000',
  };
  const lb = testLifeboat(pf.cloud(), settingsEnv);
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-scenario-'));
  const processes = new WorkerPool();
  const stop = async () => {
    await processes.killAll('SIGKILL');
    await lb.close();
    await pf.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  started.push(stop);
  try {
    const extra: Record<string, string> = {
      ...settingsEnv,
      LIFEBOAT_TOKENS: lb.deps.settings.LIFEBOAT_TOKENS!,
      LIFEBOAT_SNAPSHOT_CACHE_MS: '0',
      LIFEBOAT_RATE_LIMIT_BURST: '100000',
      LIFEBOAT_RUNBOOK_POLL_MS: '100',
      ...(options.env ?? {}),
    };
    if (options.schedules !== undefined) {
      const file = join(dir, 'schedules.yaml');
      writeFileSync(file, options.schedules);
      extra.LIFEBOAT_SCHEDULES_FILE = file;
    }
    const env = workerEnvFor(lb.deps.settings, pf.awsEnv(), extra);
    const port = await freePort();
    const main = processes.start({ ...env, PORT: String(port), HOST: '127.0.0.1' }, 'main.ts');
    const worker = processes.start(env);
    const output = () => `--- npm start\n${main.output()}\n--- npm run worker\n${worker.output()}`;
    const api = apiClient(`http://127.0.0.1:${port}`);
    const startedAt = Date.now();
    // Generous: two ts-node processes compile lifeboat as they start, slow on a loaded machine.
    await eventually(`the API answering on ${port}\n${output()}`, async () => (await api.call('GET', '/healthz').catch(() => undefined))?.status === 200, { timeoutMs: STARTUP_MS, everyMs: 200 });
    await processes.untilConnected(lb, 2, STARTUP_MS);
    console.log(`scenario: npm start and npm run worker up in ${Date.now() - startedAt} ms`);

    const finished = async (id: string, timeoutMs = 90_000) =>
      eventually(`operation ${id} finished\n${output()}`, async () => {
        const res: ApiResponse = await api.call('GET', `/v1/operations/${id}`);
        return FINISHED.includes(res.body?.operation?.state) && res.body.operation;
      }, { timeoutMs, everyMs: 100 });
    const run = async (body: Record<string, unknown>, timeoutMs?: number) => {
      const submitted = await api.call('POST', '/v1/operations', { body });
      if (submitted.status !== 202) throw new Error(`${JSON.stringify(body)}: ${submitted.status} ${submitted.text}`);
      return finished(submitted.body.operation.id, timeoutMs);
    };
    return { pf, lb, api, main, worker, output, finished, run, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
