import { runStep, skipStep } from './checkpoint-runner-step';
import { reportRetry, reportRunFinished, reportRunStarted } from './checkpoint-runner-report';
import type { CheckpointHooks, CheckpointedRun, RunOutcome, RunnerContext, RunnerDeps, RunnerStep } from './checkpoint-runner-types';
import { withOperationContext } from './operation-context';
import { isTransient, problemOf } from './operation-errors';
import type { OperationState } from './operation-types';
import { FINISHED_STATES } from './operation-types';
import { RunStopped } from './checkpoint-runner-watches';
import { logger } from './logger';

export type { CheckpointHooks, CheckpointedRun, RunOutcome, RunnerDeps, RunnerStep, StepAttempt, StepEnd } from './checkpoint-runner-types';
export { Interrupted, RunStopped, StepTimedOut, repeatOnClock, unlessAborted } from './checkpoint-runner-watches';
export { publishEvent } from './checkpoint-runner-report';

/**
 * The one checkpoint runner under operations and runbook runs. It carries a run out from
 * its checkpoint, one step after another, saving as each starts and ends, so a worker that
 * takes over after a crash goes on from the step that was running. Between steps it looks
 * for a cancel request and for lost ownership of the job; a step is attempted, retried,
 * timed and watched by runStep. A transient failure is left to the queue to retry, unless
 * this is the last attempt. Which step comes next and what a step's end leads to are the
 * engine's (CheckpointedRun).
 */
export function runCheckpointed<T, S extends RunnerStep>(run: CheckpointedRun<T, S>, deps: RunnerDeps, hooks: CheckpointHooks<T>): Promise<RunOutcome> {
  const rc: RunnerContext<T, S> = { run, deps, hooks, save: () => hooks.save(run.data) };
  // Everything logged while it runs names the run (and, within a step, the step).
  return withOperationContext(run.context, () => runFromCheckpoint(rc));
}

async function runFromCheckpoint<T, S extends RunnerStep>(rc: RunnerContext<T, S>): Promise<RunOutcome> {
  const cp = rc.run.checkpoint;
  if (FINISHED_STATES.includes(cp.state)) return { state: cp.state, retry: false };
  await rc.run.prepare?.();
  await start(rc);
  let failure: { error: unknown } | undefined;
  try {
    const stopped = await runSteps(rc);
    if (stopped === 'lost') return { state: cp.state, retry: false, lostOwnership: true };
    if (stopped === 'stopping') {
      reportHandedOver(rc);
      return { state: cp.state, retry: false, handedOver: true };
    }
  } catch (e) {
    if (isTransient(e) && !rc.hooks.isFinalAttempt) return retryLater(rc, e);
    failure = { error: e };
    cp.error = problemOf(e);
  }
  return { state: await finish(rc, failure), retry: false };
}

async function start(rc: RunnerContext<unknown, RunnerStep>): Promise<void> {
  const cp = rc.run.checkpoint;
  const resumed = cp.startedAt !== undefined;
  cp.startedAt ??= rc.deps.clock.now().toISOString();
  cp.state = cp.cancel ? 'cancelling' : 'running';
  await rc.save();
  await reportRunStarted(rc, resumed);
}

/**
 * Steps one after another until none is left (undefined), or until this worker lets go of
 * the run: it lost the job on the way ('lost'), or it is stopping ('stopping').
 */
async function runSteps<T, S extends RunnerStep>(rc: RunnerContext<T, S>): Promise<RunStopped['why'] | undefined> {
  for (;;) {
    const stopping = rc.hooks.stopping;
    if (stopping?.aborted) return stopping.reason instanceof RunStopped ? stopping.reason.why : 'stopping';
    if (rc.hooks.stillOwner && !(await rc.hooks.stillOwner())) return 'lost';
    await takeCancelRequest(rc);
    const step = await rc.run.nextStep();
    if (!step) return undefined;
    const stopped = await withOperationContext({ ...rc.run.context, step: step.record.id }, async () => {
      const skip = await step.skipReason?.();
      const end = skip === undefined ? await runStep(rc, step) : skipStep(rc, step, skip);
      if (end.state === 'stopped') return end.why;
      rc.run.stepEnded(step, end);
      await rc.save();
      return undefined;
    });
    if (stopped) return stopped;
  }
}

function reportHandedOver(rc: RunnerContext): void {
  const running = rc.run.checkpoint;
  logger.info({ kind: rc.run.kind, state: running.state }, `${rc.run.names.run} handed over: this worker is stopping, another one carries it on`);
}

/** Between steps: a cancel request is taken once; the engine skips what is left or lines up its rollback. */
async function takeCancelRequest(rc: RunnerContext<unknown, RunnerStep>): Promise<void> {
  const cp = rc.run.checkpoint;
  if (cp.cancel) return;
  const request = await rc.deps.store.cancelRequest(rc.run.id);
  if (!request) return;
  cp.cancel = request;
  cp.state = 'cancelling';
  rc.run.cancelled(request);
  await rc.save();
}

async function retryLater(rc: RunnerContext<unknown, RunnerStep>, e: unknown): Promise<RunOutcome> {
  await rc.save();
  await reportRetry(rc, e);
  return { state: rc.run.checkpoint.state, retry: true, error: e };
}

async function finish(rc: RunnerContext<unknown, RunnerStep>, failure: { error: unknown } | undefined): Promise<OperationState> {
  const cp = rc.run.checkpoint;
  cp.state = rc.run.endState(failure);
  cp.finishedAt = rc.deps.clock.now().toISOString();
  const fields = await rc.run.finish();
  await rc.save();
  await reportRunFinished(rc, fields);
  return cp.state;
}
