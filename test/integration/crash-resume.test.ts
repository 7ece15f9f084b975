import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoFleetSpec } from '../../src/sandbox/fleet/seed-fleet';
import { submitOperation } from '../../src/operations/submit-operation';
import { startRun } from '../../src/runbooks/start-run';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import type { AwsState, MotoFleet } from '../support/moto-fleet';
import { startMotoFleet } from '../support/moto-fleet';
import { WorkerPool, workerEnvFor } from '../support/worker-process';

const SPEC: DemoFleetSpec = {
  regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
  services: [
    {
      name: 'api',
      dns: 'api.example.com',
      regions: {
        'us-east-1': { desired: 6, min: 2, max: 20, weight: 100 },
        'us-west-2': { desired: 6, min: 2, max: 20, weight: 100 },
        'eu-west-1': { desired: 6, min: 2, max: 20, weight: 100 },
      },
    },
    {
      name: 'web',
      dns: 'www.example.com',
      regions: {
        'us-east-1': { desired: 4, min: 1, max: 16, weight: 2, groups: 2 },
        'us-west-2': { desired: 4, min: 1, max: 16, weight: 1, groups: 2 },
        'eu-west-1': { desired: 4, min: 1, max: 16, weight: 1, groups: 2 },
      },
    },
  ],
};

let fleet: MotoFleet;
const workers = new WorkerPool();
const lifeboats: TestLifeboat[] = [];

beforeAll(async () => {
  fleet = await startMotoFleet(SPEC);
}, 60_000);

afterAll(async () => {
  await workers.killAll('SIGKILL');
  await Promise.all(lifeboats.map((l) => l.close()));
  await fleet?.stop();
});

/** A lifeboat for submitting and watching (no worker in this process), and worker processes on the same prefix. */
const FIXTURE_RUNBOOKS = join(__dirname, '..', 'fixtures', 'runbooks');

function setUp() {
  const lb = testLifeboat(fleet.cloud(), { LIFEBOAT_LEASE_TTL: '3', LIFEBOAT_RUNBOOKS_DIR: FIXTURE_RUNBOOKS });
  lifeboats.push(lb);
  const env = workerEnvFor(lb.deps.settings, fleet.awsEnv(), { LIFEBOAT_RUNBOOKS_DIR: FIXTURE_RUNBOOKS, LIFEBOAT_RUNBOOK_POLL_MS: '100' });
  return { lb, start: () => workers.start(env) };
}

const untilWorkers = (lb: TestLifeboat, n: number) => workers.untilConnected(lb, n);

async function evacuate(lb: TestLifeboat) {
  const submitted = await submitOperation({ kind: 'evacuate', pace: 'stages', region: 'us-east-1', stages: 2, dwellSeconds: 3 }, { actor: 'test' }, lb.deps);
  if (submitted.dryRun) throw new Error('unexpected dry run');
  return submitted.operation.id;
}

describe('a worker killed in the middle of an operation', () => {
  it('is replaced by another worker that finishes from the checkpoint, leaving AWS as an undisturbed run does', async () => {
    // An undisturbed run, to know what AWS should look like afterwards.
    const calm = setUp();
    const only = calm.start();
    await untilWorkers(calm.lb, 1);
    const calmId = await evacuate(calm.lb);
    expect((await calm.lb.waitFor(calmId, undefined, 60_000)).state).toBe('succeeded');
    const undisturbed: AwsState = await fleet.state();
    await only.kill('SIGTERM');

    // The same evacuation from the same starting fleet, with two workers, one of which dies.
    await fleet.reset();
    const crash = setUp();
    const first = crash.start();
    const second = crash.start();
    await untilWorkers(crash.lb, 2);
    const id = await evacuate(crash.lb);

    // Kill whichever worker holds the job while stage 1 dwells (weights applied, stage not done).
    const until = Date.now() + 30_000;
    for (;;) {
      const view = await crash.lb.waitFor(id, ['running'], 30_000);
      if (view.steps.some((s) => s.id === 'stage-1/dwell' && s.state === 'running')) break;
      if (Date.now() > until) throw new Error('never reached stage 1 dwell');
      await new Promise((r) => setTimeout(r, 20));
    }
    const job = await crash.lb.deps.queue.queue.getJob(id);
    const holder = [first, second].find((w) => job?.processedBy === `${hostname()}:${w.child.pid}`);
    expect(holder, `job processed by ${job?.processedBy}`).toBeDefined();
    await holder!.kill('SIGKILL');
    const survivor = holder === first ? second : first;

    const done = await crash.lb.waitFor(id, undefined, 60_000);
    expect(done.state).toBe('succeeded');
    const resumed = (await crash.lb.deps.queue.queue.getJob(id))?.processedBy;
    expect(resumed).toBe(`${hostname()}:${survivor.child.pid}`);
    // Steps done before the crash were not done again; the one running was resumed.
    const attempts = Object.fromEntries(done.steps.map((s) => [s.id, s.attempts]));
    expect(attempts.guard).toBe(1);
    expect(attempts.prescale).toBe(1);
    expect(attempts['stage-1/apply-weights']).toBe(1);
    expect(attempts['stage-1/dwell']).toBe(2);
    expect(attempts['stage-2/apply-weights']).toBe(1);

    expect(await fleet.state()).toEqual(undisturbed);
  }, 180_000);

  it('a runbook run resumes at the step that was running, without redoing the steps before it', async () => {
    await fleet.reset();
    const { lb, start } = setUp();
    const first = start();
    const second = start();
    await untilWorkers(lb, 2);
    const run = await startRun('slow', {}, { actor: 'test' }, lb.deps);
    const until = Date.now() + 30_000;
    let firstStart: string | undefined;
    for (;;) {
      const view = await lb.waitFor(run.id, ['running'], 30_000);
      const long = view.steps.find((s) => s.id === 'long' && s.state === 'running');
      if (long) {
        firstStart = long.startedAt;
        break;
      }
      if (Date.now() > until) throw new Error('never reached the long step');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(firstStart).toBeDefined();
    const job = await lb.deps.runs.queue.getJob(run.id);
    const holder = [first, second].find((w) => job?.processedBy === `${hostname()}:${w.child.pid}`);
    expect(holder, `run processed by ${job?.processedBy}`).toBeDefined();
    await holder!.kill('SIGKILL');

    const done = await lb.waitFor(run.id, undefined, 60_000);
    expect(done.state).toBe('succeeded');
    expect(Object.fromEntries(done.steps.map((s) => [s.id, s.attempts]))).toEqual({ first: 1, long: 2, last: 1 });
    // The wait counts from its first start: the takeover kept the start the killed worker
    // recorded (and waits only what was left of 4 s from it; test/unit/wait-action.test.ts).
    const long = done.steps.find((s) => s.id === 'long')!;
    expect(long.startedAt).toBe(firstStart);
    expect(long.outcome).toBe('waited 4 s');
  }, 120_000);
});
