import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from 'bullmq';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAINTENANCE_QUEUE } from '../../src/jobs/maintenance';
import { freePort } from '../../src/sandbox/free-port';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import type { MotoFleet } from '../support/moto-fleet';
import { startMotoFleet } from '../support/moto-fleet';
import { WorkerPool, workerEnvFor } from '../support/worker-process';

/**
 * The maintenance (the N+1 readiness recompute and the runbook schedules) runs from the real
 * entry points, started as processes: `npm start` (src/app/main.ts, the API and a worker) and
 * `npm run worker` (src/app/worker-main.ts), side by side on one Redis. Both start the job
 * schedulers; each slot still runs once. The worker's health port answers an orchestrator.
 */

const SPEC = {
  regions: ['us-east-1', 'us-west-2'],
  services: [{ name: 'api', dns: 'api.example.com', regions: { 'us-east-1': { desired: 2, min: 1, max: 4, weight: 100 }, 'us-west-2': { desired: 2, min: 1, max: 4, weight: 100 } } }],
};
const READINESS_INTERVAL_S = 1;
const RUNBOOK_EVERY_S = 2;

let fleet: MotoFleet;
let lb: TestLifeboat;
let dir: string;
let maintenance: Queue;
const processes = new WorkerPool();

beforeAll(async () => {
  fleet = await startMotoFleet(SPEC);
  lb = testLifeboat(fleet.cloud(), { LIFEBOAT_REGIONS: SPEC.regions.join(',') });
  maintenance = new Queue(MAINTENANCE_QUEUE, { connection: lb.redis, prefix: lb.deps.settings.LIFEBOAT_REDIS_PREFIX });
  dir = mkdtempSync(join(tmpdir(), 'lifeboat-schedules-'));
}, 60_000);

afterAll(async () => {
  await processes.killAll('SIGKILL');
  await maintenance?.close();
  await lb?.close();
  await fleet?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Polls until `found` returns something, or fails naming what it waited for (and the processes' output). */
async function until<T>(what: string, found: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await found();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms:\n${processes.workers.map((w) => w.output()).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The slot (epoch ms) a job scheduler's job was made for: its id ends with it. */
const slotOf = (job: Pick<Job, 'id'>) => Number(/:(\d+)$/.exec(job.id ?? '')?.[1]);

describe('maintenance from the real entry points', () => {
  it('npm start and npm run worker, side by side, recompute readiness and run a scheduled runbook, each slot once', async () => {
    const schedules = join(dir, 'schedules.yaml');
    writeFileSync(schedules, `- runbook: readiness-report\n  cron: "*/${RUNBOOK_EVERY_S} * * * * *"\n  params: { failWhenNotReady: false }\n`);
    const healthPort = await freePort();
    const env = workerEnvFor(lb.deps.settings, fleet.awsEnv(), {
      LIFEBOAT_SCHEDULES_FILE: schedules,
      LIFEBOAT_READINESS_INTERVAL: String(READINESS_INTERVAL_S),
      LIFEBOAT_RUNBOOK_POLL_MS: '100',
      LIFEBOAT_TOKENS: lb.deps.settings.LIFEBOAT_TOKENS!,
    });
    const startedAt = Date.now();
    processes.start({ ...env, PORT: String(await freePort()) }, 'main.ts');
    const worker = processes.start({ ...env, LIFEBOAT_WORKER_METRICS_PORT: String(healthPort) });
    await processes.untilConnected(lb, 2, 60_000);

    // The readiness report is recomputed on its schedule: two reports, both made after the start.
    const first = await until('a readiness report', async () => {
      const r = await lb.deps.readinessReports.latest();
      return r && Date.parse(r.computedAt) >= startedAt ? r : undefined;
    });
    await until('a second readiness report', async () => {
      const r = await lb.deps.readinessReports.latest();
      return r && r.computedAt !== first.computedAt ? r : undefined;
    });
    // The scheduled runbook ran, as the schedule, and finished.
    const run = await until('a scheduled readiness-report run that finished', async () => {
      const runs = await lb.deps.runs.list(100);
      return runs.find((r) => r.data.actor === 'schedule' && r.data.runbook === 'readiness-report' && r.data.checkpoint.state === 'succeeded');
    });
    expect(run.data.id).toMatch(/^run_sched_/);

    // Two processes upserted the schedulers: there are still two, and every slot ran once.
    const schedulers = await maintenance.getJobSchedulers(0, -1);
    expect(schedulers.map((s) => s.id ?? s.key).sort()).toEqual(['readiness', `runbook:readiness-report:*/${RUNBOOK_EVERY_S} * * * * *`]);
    const done = await maintenance.getJobs(['completed', 'failed', 'active'], 0, -1);
    for (const name of ['readiness', 'runbook']) {
      const slots = done.filter((j) => j.name === name).map(slotOf);
      expect(slots.length, name).toBeGreaterThanOrEqual(1);
      expect(new Set(slots).size, `${name}: one job per slot`).toBe(slots.length);
    }
    const runSlots = (await lb.deps.runs.list(100)).filter((r) => r.data.actor === 'schedule').map((r) => r.data.id);
    expect(new Set(runSlots).size, 'one run per slot').toBe(runSlots.length);

    // The worker alone serves what an orchestrator probes.
    const health = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${healthPort}/readyz`);
    expect(ready.status, worker.output()).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { redis: { ok: true }, workers: { ok: true } } });
  }, 180_000);
});
