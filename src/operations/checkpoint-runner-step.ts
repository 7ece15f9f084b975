import type { Problem } from '../core/errors';
import { LifeboatError } from '../core/errors';
import { reportStepFinished, reportStepSkipped, reportStepStarted, reportUnexpected } from './checkpoint-runner-report';
import type { RunnerContext, RunnerStep, StepEnd } from './checkpoint-runner-types';
import { Interrupted, RunStopped, StepTimedOut, atTime, sleepUnlessAborted, watchForCancel, watchForDeadline } from './checkpoint-runner-watches';
import { problemOf } from './operation-errors';

/**
 * Carry one step out: attempt it, and again after a failure while its retries last (after
 * its backoff), watching for a cancel request, its timeout and the stuck flag on the
 * clock; then record how it ended, save, and tell the world.
 */
export async function runStep(rc: RunnerContext, step: RunnerStep): Promise<StepEnd> {
  const { record } = step;
  // A step resumed after a crash keeps its first start, so its timeouts and waits span the takeover.
  record.startedAt ??= rc.deps.clock.now().toISOString();
  delete record.error;
  const done = new AbortController();
  let end: StepEnd;
  try {
    const cancel = watchForCancelOf(rc, done.signal);
    await watchForStuck(rc, step, done.signal);
    end = await attemptUntilDone(rc, step, cancel);
  } finally {
    done.abort();
  }
  // Let go at a safe point: the step stays running for the worker that takes the run next.
  if (end.state === 'stopped') {
    if (end.why === 'stopping') await rc.save();
    return end;
  }
  if (end.state === 'skipped') {
    record.state = 'skipped';
    record.outcome = `interrupted: the ${rc.run.names.inOutcomes} was cancelled`;
  }
  record.finishedAt = rc.deps.clock.now().toISOString();
  await rc.save();
  await reportStepFinished(rc, step);
  return end;
}

/** A step skipped this time (a false `when`): recorded with why, and no attempt. */
export function skipStep(rc: RunnerContext, step: RunnerStep, why: string): StepEnd {
  step.record.state = 'skipped';
  step.record.outcome = why;
  reportStepSkipped(rc, step);
  return { state: 'skipped', interrupted: false };
}

async function attemptUntilDone(rc: RunnerContext, step: RunnerStep, cancel: AbortSignal): Promise<StepEnd> {
  for (let first = true; ; first = false) {
    await beginAttempt(rc, step);
    if (first) await reportStepStarted(rc, step);
    const end = await attemptOnce(rc, step, cancel);
    if (end.state === 'stopped') return end;
    const delayMs = end.state === 'failed' ? step.retryDelayMs?.(step.record.attempts) : undefined;
    if (delayMs === undefined) return end;
    await rc.save();
    const waited = await sleepUnlessAborted(rc.deps.clock, delayMs, cancel).then(
      () => true,
      () => false,
    );
    if (!waited) return { state: 'skipped', interrupted: true };
  }
}

async function beginAttempt(rc: RunnerContext, step: RunnerStep): Promise<void> {
  const { record } = step;
  record.state = 'running';
  record.attempts += 1;
  // The attempt's deadline is kept in the checkpoint: a worker that takes over keeps it too.
  if (step.timeout) record.detail = { attemptStartedAt: rc.deps.clock.now().toISOString(), ...record.detail };
  await rc.save();
}

async function attemptOnce(rc: RunnerContext, step: RunnerStep, cancel: AbortSignal): Promise<StepEnd> {
  const { record } = step;
  const over = new AbortController();
  const signal = step.timeout ? AbortSignal.any([cancel, watchForDeadline(rc.deps.clock, deadlineOf(rc, step), over.signal)]) : cancel;
  // A wait is a safe point: a worker that lets go of the run stops there, never in the middle of a write.
  const stopping = rc.hooks.stopping;
  const waitSignal = stopping ? AbortSignal.any([signal, stopping]) : signal;
  let stopped = false;
  try {
    record.outcome = await step.attempt({ signal, wait: (ms) => sleepUnlessAborted(rc.deps.clock, ms, waitSignal) });
    record.state = 'succeeded';
    return { state: 'succeeded' };
  } catch (e) {
    if (e instanceof RunStopped) {
      stopped = true;
      return { state: 'stopped', why: e.why };
    }
    if (e instanceof Interrupted) return { state: 'skipped', interrupted: true };
    const problem = e instanceof StepTimedOut && step.timeout ? step.timeout.problem : problemOfFailure(rc, step, e);
    record.state = 'failed';
    record.error = problem;
    record.outcome = problem.message;
    return { state: 'failed', problem, error: e };
  } finally {
    over.abort();
    // A run handed over keeps its attempt's deadline: the worker that takes it over keeps it too.
    if (step.timeout && record.detail && !stopped) delete record.detail.attemptStartedAt;
  }
}

function deadlineOf(rc: RunnerContext, step: RunnerStep): number {
  const started = step.record.detail?.attemptStartedAt;
  return (typeof started === 'string' ? new Date(started) : rc.deps.clock.now()).getTime() + step.timeout!.ms;
}

/** What a failed attempt records. An error lifeboat did not mean to throw is a bug: LB_ERR_INTERNAL, its stack in the log. */
function problemOfFailure(rc: RunnerContext, step: RunnerStep, e: unknown): Problem {
  if (!(e instanceof LifeboatError)) reportUnexpected(rc, step, e);
  return problemOf(e);
}

/**
 * A signal for a cancel request while the step runs. Once the run is cancelling, its
 * rollback's own waits must not be interrupted by the same request: nothing to watch.
 */
function watchForCancelOf(rc: RunnerContext, stop: AbortSignal): AbortSignal {
  if (rc.run.checkpoint.cancel) return new AbortController().signal;
  return watchForCancel(rc.deps.clock, rc.run.cancelPollMs, stop, async () => !!(await rc.deps.store.cancelRequest(rc.run.id)));
}

/** Flag the step stuck (and save) when it runs past the time its engine allows it; nothing to watch without one. */
async function watchForStuck(rc: RunnerContext, step: RunnerStep, stop: AbortSignal): Promise<void> {
  const limitMs = await step.stuckAfterMs?.();
  if (limitMs === undefined) return;
  const { record } = step;
  atTime(rc.deps.clock, new Date(record.startedAt!).getTime() + limitMs, stop, () => {
    record.stuck = true;
    rc.save().catch(() => undefined);
  });
}
