import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/operations/ports/operation-events';
import { startRun } from '../../src/runbooks/start-run';
import { join } from 'node:path';
import { FAULT_FLEET, figures, operationMs, stepOf, submit, untilStep } from '../support/fault-scenarios';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import type { AwsState, MotoFleet } from '../support/moto-fleet';
import { startMotoFleet } from '../support/moto-fleet';
import type { WorkerProcess } from '../support/worker-process';
import { WorkerPool, workerEnvFor } from '../support/worker-process';
import { eventually } from '../support/eventually';

/**
 * SIGTERM (a deploy) stops a worker process at its next safe point and hands its operation
 * back to the queue at once: another worker process carries it on from the checkpoint, long
 * before the job lock (30 s here) would have let the stalled check take it over, and the
 * handover costs the job no attempt. Workers are real processes (npm run worker).
 */

const FIXTURE_RUNBOOKS = join(__dirname, '..', 'fixtures', 'runbooks');
/** A job lock the handover must not wait for: a takeover within it is the handover's doing. */
const JOB_LOCK_MS = 30_000;

let fleet: MotoFleet;
let lb: TestLifeboat;
let workerEnv: Record<string, string>;
const workers = new WorkerPool();

/** A lifeboat for submitting and watching (no worker in this process), and two worker processes on its prefix. */
beforeAll(async () => {
  fleet = await startMotoFleet(FAULT_FLEET);
  lb = testLifeboat(fleet.cloud(), {
    LIFEBOAT_JOB_LOCK_MS: String(JOB_LOCK_MS),
    LIFEBOAT_STALLED_INTERVAL_MS: String(JOB_LOCK_MS),
    LIFEBOAT_LEASE_TTL: '5',
    LIFEBOAT_RUNBOOKS_DIR: FIXTURE_RUNBOOKS,
  });
  workerEnv = workerEnvFor(lb.deps.settings, fleet.awsEnv(), { LIFEBOAT_RUNBOOKS_DIR: FIXTURE_RUNBOOKS, LIFEBOAT_RUNBOOK_POLL_MS: '100', LOG_LEVEL: 'info', LOG_FORMAT: 'json' });
}, 180_000);

/**
 * Two worker processes of this test's own, and only them: the tests run in either order, and a
 * worker another test started (or one still closing) must not pick up this test's job.
 */
async function freshPair(): Promise<WorkerProcess[]> {
  await workers.killAll('SIGKILL');
  await eventually('no worker connected', async () => (await lb.deps.queue.workersCount()) === 0, { timeoutMs: 60_000 });
  workers.start(workerEnv);
  workers.start(workerEnv);
  // Two worker processes starting at once on a busy machine take a while.
  await workers.untilConnected(lb, 2, 120_000);
  return running();
}

afterAll(async () => {
  await workers.killAll('SIGKILL');
  await lb?.close();
  await fleet?.stop();
});

/** The worker processes still running. */
const running = () => workers.workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);

/** The worker process whose name BullMQ recorded on the job (`processedBy`). */
async function holderOf(lb: TestLifeboat, queue: 'queue' | 'runs', id: string, pair: WorkerProcess[]): Promise<WorkerProcess> {
  const job = await lb.deps[queue].queue.getJob(id);
  const holder = pair.find((w) => job?.processedBy === `${hostname()}:${w.child.pid}`);
  if (!holder) throw new Error(`job ${id} processed by ${job?.processedBy}, none of ${pair.map((w) => w.child.pid).join(', ')}`);
  return holder;
}

/** The first event after `afterId` that matches, waiting for it. */
async function nextEvent(lb: TestLifeboat, id: string, afterId: string, match: (e: StoredEvent) => boolean, timeoutMs = 20_000): Promise<StoredEvent> {
  const until = Date.now() + timeoutMs;
  let cursor = afterId;
  while (Date.now() < until) {
    const events = await lb.deps.events.read(id, cursor, 500);
    const found = events.find(match);
    if (found) return found;
    if (events.length) cursor = events[events.length - 1]!.id;
  }
  throw new Error(`no matching event for ${id} within ${timeoutMs} ms`);
}

async function lastEventId(lb: TestLifeboat, id: string): Promise<string> {
  const events = await lb.deps.events.read(id, '0', 1);
  return events.length ? events[events.length - 1]!.id : '0';
}

describe('a worker process stopped with SIGTERM in the middle of an operation', () => {
  it('hands the operation back at once: the other worker resumes the dwell well within the job lock, no attempt counted, AWS as an undisturbed run leaves it', async () => {
    // An undisturbed run first, to know what AWS should look like afterwards.
    const pair = await freshPair();
    const calmId = await submit(lb, { kind: 'evacuate', pace: 'stages', region: 'us-east-1', stages: 2, dwellSeconds: 3 });
    expect((await lb.waitFor(calmId, undefined, 60_000)).state).toBe('succeeded');
    const undisturbed: AwsState = await fleet.state();
    await fleet.reset();
    await lb.forgetEvacuations();

    const id = await submit(lb, { kind: 'evacuate', pace: 'stages', region: 'us-east-1', stages: 2, dwellSeconds: 3 });
    await untilStep(lb, id, 'stage-1/dwell', 'running', 30_000);
    const holder = await holderOf(lb, 'queue', id, pair);
    const survivor = pair.find((w) => w !== holder)!;
    const before = await lastEventId(lb, id);

    const stoppedAt = Date.now();
    const exited = holder.kill('SIGTERM').then(() => Date.now());
    // The survivor announces it: the operation resumed, in its process.
    const resumed = await nextEvent(lb, id, before, (e) => e.type === 'operation.started' && e.data.resumed === true);
    const handoverMs = Date.parse(resumed.at) - stoppedAt;
    const exitMs = (await exited) - stoppedAt;

    const done = await lb.waitFor(id, undefined, 60_000);
    expect(done.state, `${JSON.stringify(done.error)}\n${survivor.output()}`).toBe('succeeded');
    const job = await lb.deps.queue.queue.getJob(id);
    expect(job?.processedBy).toBe(`${hostname()}:${survivor.child.pid}`);
    // The handover, not the stalled check (which would count a stall): no failed attempt and no
    // stall on the job, its one counted attempt is the one that succeeded.
    expect(job?.attemptsMade).toBe(1);
    expect(job?.stalledCounter ?? 0).toBe(0);
    expect(job?.failedReason).toBeFalsy();
    expect(holder.child.exitCode, holder.output()).toBe(0);
    expect(holder.output()).toContain('handed back to the queue');
    // Steps done before the stop were not done again; the dwell that was running was resumed.
    const attempts = Object.fromEntries(done.steps.map((s) => [s.id, s.attempts]));
    expect(attempts).toMatchObject({ guard: 1, prescale: 1, 'stage-1/apply-weights': 1, 'stage-1/dwell': 2, 'stage-2/apply-weights': 1 });
    expect(await fleet.state()).toEqual(undisturbed);

    figures('worker SIGTERMed mid-dwell, another worker process waiting', {
      handoverMs,
      stoppedWorkerExitedMs: exitMs,
      jobLockMs: JOB_LOCK_MS,
      dwellAttempts: stepOf(done, 'stage-1/dwell').attempts,
      operationMs: operationMs(done),
    });
  }, 180_000);

  it('a runbook run is handed over too: the other worker resumes the step that was waiting, no attempt counted', async () => {
    const pair = await freshPair();
    const run = await startRun('slow', {}, { actor: 'test' }, lb.deps);
    await untilStep(lb, run.id, 'long', 'running', 30_000);
    const holder = await holderOf(lb, 'runs', run.id, pair);
    const stoppedAt = Date.now();
    await holder.kill('SIGTERM');
    expect(holder.child.exitCode, holder.output()).toBe(0);
    const done = await lb.waitFor(run.id, undefined, 60_000);
    expect(done.state).toBe('succeeded');
    const job = await lb.deps.runs.queue.getJob(run.id);
    expect(job?.attemptsMade).toBe(1);
    expect(Object.fromEntries(done.steps.map((s) => [s.id, s.attempts]))).toEqual({ first: 1, long: 2, last: 1 });
    figures('runbook run handed over on SIGTERM', { finishedAfterStopMs: Date.parse(done.finishedAt!) - stoppedAt });
  }, 120_000);
});
