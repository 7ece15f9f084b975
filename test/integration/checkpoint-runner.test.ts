import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DryRunCloud } from '../../src/cloud/dry-run/dry-run-cloud';
import { runbookSchema } from '../../src/core/runbooks/runbook-schema';
import { cancelOperation } from '../../src/operations/activity';
import { RunStopped } from '../../src/operations/checkpoint-runner';
import type * as LoggerModule from '../../src/operations/logger';
import type { RunbookDeps } from '../../src/runbooks/action-context';
import { runRunbook } from '../../src/runbooks/run-runbook';
import type { RunData } from '../../src/runbooks/run-types';
import { startRun } from '../../src/runbooks/start-run';
import { apiInThreeRegions, fleetReading } from '../support/fleet-fixture';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import { ManualClock } from '../support/manual-clock';

// The real logger configuration, writing into an array: a bug's stack must reach the log.
const captured = vi.hoisted(() => ({ lines: [] as string[] }));
vi.mock('../../src/operations/logger', async (importOriginal) => {
  const actual = await importOriginal<typeof LoggerModule>();
  return { ...actual, logger: actual.createLogger({ level: 'debug', format: 'json', destination: { write: (line: string) => void captured.lines.push(line) } }) };
});
type Line = Record<string, unknown> & { msg: string; level: number };
const errorLinesOf = (runId: string): Line[] => captured.lines.map((l) => JSON.parse(l) as Line).filter((l) => l.level >= 50 && l.operationId === runId);

const RUNBOOKS = [
  { name: 'slow-with-timeout', steps: [{ id: 'long', action: 'wait', inputs: { seconds: 3600 }, timeoutSeconds: 60 }] },
  { name: 'retried-in-an-hour', steps: [{ id: 'check', action: 'assert', inputs: { condition: '1 == 2' }, retries: { count: 3, backoffSeconds: 3600, backoff: 'fixed' } }] },
  { name: 'usually-quick', steps: [{ id: 'long', action: 'wait', inputs: { seconds: 120 } }] },
  { name: 'readiness-check', steps: [{ id: 'check', action: 'readiness' }] },
  { name: 'wait-soon', steps: [{ id: 'pause', action: 'wait', inputs: { seconds: 'soon' } }] },
  { name: 'notify-by-ftp', steps: [{ id: 'tell', action: 'notify', inputs: { url: 'ftp://example.com/hook', text: 'hello' } }] },
  { name: 'assert-a-number', steps: [{ id: 'check', action: 'assert', inputs: { condition: 42 } }] },
  { name: 'readiness-of-mars', steps: [{ id: 'check', action: 'readiness', inputs: { region: 'mars-north-1' } }] },
].map((r) => runbookSchema.parse({ description: `test runbook ${r.name}`, ...r }));

let clock: ManualClock;
let lb: TestLifeboat;
let deps: RunbookDeps;

beforeAll(async () => {
  clock = new ManualClock();
  lb = testLifeboat(new DryRunCloud(fleetReading(apiInThreeRegions())), { LIFEBOAT_RUNBOOK_POLL_MS: '50' }, clock);
  await lb.ready();
  deps = { ...lb.deps, runbooks: new Map(RUNBOOKS.map((r) => [r.name, r])) };
});

afterAll(async () => {
  await lb.close();
});

/** Start a run and carry it out here as a worker would (on its last attempt: no queue retry), on the test's clock. */
async function carryOut(name: string, runDeps: RunbookDeps = deps, stopping?: AbortSignal) {
  const view = await startRun(name, {}, { actor: 'tester' }, runDeps);
  const data = (await runDeps.runs.get(view.id))!.data;
  const saved: RunData[] = [];
  const startedAt = clock.now().getTime();
  const outcome = runRunbook(data, runDeps, { save: async (run) => void saved.push(structuredClone(run)), isFinalAttempt: true, ...(stopping ? { stopping } : {}) });
  return { data, saved, outcome, startedAt };
}

describe('runbook steps on the injected clock', () => {
  it('time out when the clock passes their timeoutSeconds, without waiting for real', async () => {
    const { data, outcome, startedAt } = await carryOut('slow-with-timeout');
    await clock.sleeping(startedAt + 60_000);
    await clock.advance(60_000);
    expect(await outcome).toMatchObject({ state: 'failed', retry: false });
    expect(data.checkpoint.steps[0]).toMatchObject({ state: 'failed', attempts: 1, error: { code: 'LB_ERR_STEP_TIMEOUT', message: 'long did not finish within 60 s' } });
    expect(data.checkpoint.error?.code).toBe('LB_ERR_STEP_TIMEOUT');
  });

  it('stop waiting out a retry backoff as soon as the run is cancelled', async () => {
    const { data, outcome, startedAt } = await carryOut('retried-in-an-hour');
    // The first attempt failed: the hour's backoff before the second has begun.
    await clock.sleeping(startedAt + 3_600_000);
    expect(data.checkpoint.steps[0]).toMatchObject({ state: 'failed', attempts: 1 });
    await cancelOperation(data.id, { by: 'tester' }, deps);
    // One look for a cancel request (LIFEBOAT_RUNBOOK_POLL_MS), not the hour.
    await clock.advance(50);
    expect(await outcome).toMatchObject({ state: 'cancelled' });
    expect(data.checkpoint.steps[0]).toMatchObject({ state: 'skipped', attempts: 1, outcome: 'interrupted: the run was cancelled' });
  });

  it('are flagged stuck when the clock passes far beyond their usual duration, and saved so', async () => {
    for (const ms of [1000, 1200, 1100]) await deps.runbookStore.recordDuration('usually-quick', 'long', ms);
    const { data, saved, outcome, startedAt } = await carryOut('usually-quick');
    // Three times the median (1.1 s) is under the floor, LIFEBOAT_STUCK_MIN (60 s): stuck after 60 s.
    await clock.sleeping(startedAt + 60_000);
    await clock.advance(59_999);
    expect(data.checkpoint.steps[0]!.stuck).toBeUndefined();
    await clock.advance(1);
    expect(data.checkpoint.steps[0]!.stuck).toBe(true);
    expect(saved.at(-1)!.checkpoint.steps[0]).toMatchObject({ state: 'running', stuck: true });
    // The wait of 120 s ends all the same.
    await clock.advance(60_000);
    expect(await outcome).toMatchObject({ state: 'succeeded' });
    expect(data.checkpoint.steps[0]).toMatchObject({ state: 'succeeded', stuck: true });
  });
});

describe('a worker that lets go of a run in the middle of a step', () => {
  it('stopping: leaves the step running with its deadline, hands the run over, and the next worker times it out at the first deadline', async () => {
    const stop = new AbortController();
    const { data, outcome, startedAt } = await carryOut('slow-with-timeout', deps, stop.signal);
    await clock.sleeping(startedAt + 60_000);
    await clock.advance(20_000);
    stop.abort(new RunStopped('stopping'));
    expect(await outcome).toEqual({ state: 'running', retry: false, handedOver: true });
    expect(data.checkpoint.steps[0]).toMatchObject({ state: 'running', attempts: 1, detail: { attemptStartedAt: new Date(startedAt).toISOString() } });
    // Another worker takes it: its attempt keeps the first one's deadline, 40 s away now.
    const next = runRunbook(data, deps, { save: async () => undefined, isFinalAttempt: true });
    await clock.sleeping(startedAt + 60_000);
    await clock.advance(40_000);
    expect(await next).toMatchObject({ state: 'failed' });
    expect(data.checkpoint.steps[0]).toMatchObject({ state: 'failed', attempts: 2, error: { code: 'LB_ERR_STEP_TIMEOUT' } });
  });

  it('lost: stops at the wait and saves nothing more, for the job is no longer its own', async () => {
    const lost = new AbortController();
    const { data, saved, outcome, startedAt } = await carryOut('slow-with-timeout', deps, lost.signal);
    await clock.sleeping(startedAt + 60_000);
    const savesBefore = saved.length;
    lost.abort(new RunStopped('lost'));
    expect(await outcome).toEqual({ state: 'running', retry: false, lostOwnership: true });
    expect(saved).toHaveLength(savesBefore);
    expect(data.checkpoint.steps[0]).toMatchObject({ state: 'running', attempts: 1 });
  });
});

describe('what a failed runbook step is blamed on', () => {
  it('an unexpected error in lifeboat’s own code: LB_ERR_INTERNAL for the user, the stack in the log with the run id', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'regions')");
    const broken: RunbookDeps = {
      ...deps,
      readinessReports: {
        save: async () => {
          throw bug;
        },
        latest: () => deps.readinessReports.latest(),
      },
    };
    const { data, outcome } = await carryOut('readiness-check', broken);
    expect(await outcome).toMatchObject({ state: 'failed' });
    expect(data.checkpoint.steps[0]!.error).toEqual({ code: 'LB_ERR_INTERNAL', message: `unexpected error: ${bug.message}` });
    expect(data.checkpoint.error?.code).toBe('LB_ERR_INTERNAL');
    expect(JSON.stringify(data.checkpoint), 'no stack for the user').not.toContain('    at ');
    const logged = errorLinesOf(data.id);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ step: 'check', action: 'readiness', err: { type: 'TypeError', message: bug.message, stack: expect.stringContaining('    at ') } });
  });

  it.each([
    ['wait-soon', 'step pause: input seconds must be a number, got "soon"'],
    ['notify-by-ftp', 'step tell: input url must be an http(s) URL, got ftp://example.com/hook'],
    ['assert-a-number', 'step check: input condition must be an expression'],
    ['readiness-of-mars', 'step check: input region mars-north-1 is not a managed region'],
  ])('a bad input given by the runbook (%s): LB_ERR_RUNBOOK_INVALID, for its author to fix, and no bug in the log', async (name, message) => {
    const { data, outcome } = await carryOut(name);
    expect(await outcome).toMatchObject({ state: 'failed' });
    expect(data.checkpoint.steps[0]!.error).toMatchObject({ code: 'LB_ERR_RUNBOOK_INVALID', message });
    expect(errorLinesOf(data.id)).toEqual([]);
  });
});
