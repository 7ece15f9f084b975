import { LifeboatError } from '../core/errors';
import type { OperationEventType } from '../operations/ports/operation-events';
import { evaluateCondition, resolveTemplates } from '../core/runbooks/expressions';
import type { RunbookAction, RunbookStep } from '../core/runbooks/runbook-schema';
import { isTransient, problemOf } from '../operations/operation-errors';
import { logger } from '../operations/logger';
import type { OperationContext } from '../operations/operation-context';
import { withOperationContext } from '../operations/operation-context';
import { FINISHED_STATES } from '../operations/operation-types';
import type { OperationState } from '../operations/operation-types';
import type { Action, ActionContext, RunbookDeps } from './action-context';
import { approveAction } from './actions/approve';
import { childRunbookAction } from './actions/child-runbook';
import { assertAction, waitAction } from './actions/flow-actions';
import { notifyAction } from './actions/notify';
import { operationAction, planAction } from './actions/operation-actions';
import { readinessAction } from './actions/readiness';
import { runbookNamed } from './runbook-catalog';
import { baseScope, needsOf, needsOfTemplates, runScope } from './run-scope';
import type { RunData, RunPhase, RunStepRecord } from './run-types';
import { pendingRecord } from './start-run';

const ACTIONS: Record<RunbookAction, Action> = {
  plan: planAction,
  evacuate: operationAction('evacuate'),
  shift: operationAction('shift'),
  restore: operationAction('restore'),
  scale: operationAction('scale'),
  wait: waitAction,
  assert: assertAction,
  approve: approveAction,
  notify: notifyAction,
  readiness: readinessAction,
  runbook: childRunbookAction,
};

/** A goto loop ends here: no run executes more steps than this. */
const MAX_EXECUTIONS = 200;

export interface RunHooks {
  save(run: RunData): Promise<void>;
  isFinalAttempt: boolean;
}

class Cancelled extends Error {}
class TimedOut extends Error {}

/**
 * Carry a runbook run out from its checkpoint: the step to run next is recorded, each
 * step's state and outputs are saved as it ends, so a worker that takes over resumes at
 * the step that was running. onFailure decides what a failed step leads to: abort,
 * continue, the rollback steps, or another step.
 */
export function runRunbook(run: RunData, deps: RunbookDeps, hooks: RunHooks): Promise<RunOutcome> {
  // Like an operation's, every line logged for the run carries its id, the step and the region.
  const context: OperationContext = {
    operationId: run.id,
    actor: `runbook:${run.runbook}`,
    planHash: () => undefined,
    ...(typeof run.params.region === 'string' ? { region: run.params.region } : {}),
  };
  return withOperationContext(context, () => runFromCheckpoint(run, deps, hooks, context));
}

interface RunOutcome {
  state: OperationState;
  retry: boolean;
  error?: unknown;
}

async function runFromCheckpoint(run: RunData, deps: RunbookDeps, hooks: RunHooks, context: OperationContext): Promise<RunOutcome> {
  const cp = run.checkpoint;
  if (FINISHED_STATES.includes(cp.state)) return { state: cp.state, retry: false };
  const runbook = runbookNamed(deps.runbooks, run.runbook);
  logger.info({ kind: 'runbook', runbook: run.runbook, actor: run.actor, resumed: cp.startedAt !== undefined }, cp.startedAt ? 'runbook run resumed' : 'runbook run started');
  const started = Date.now();
  cp.startedAt ??= deps.clock.now().toISOString();
  cp.state = cp.cancel ? 'cancelling' : 'running';
  const save = () => hooks.save(run);
  await save();
  await emit(deps, run, 'operation.started', { runbook: run.runbook, actor: run.actor });
  const stepsOf = (phase: RunPhase) => (phase === 'steps' ? runbook.steps : runbook.rollback);

  try {
    while (cp.next) {
      if (!cp.cancel) {
        const cancel = await deps.store.cancelRequest(run.id);
        if (cancel) {
          cp.cancel = cancel;
          cp.state = 'cancelling';
          skipPending(cp.steps, `cancelled by ${cancel.by}`);
          const didSomething = cp.steps.some((s) => s.state === 'succeeded');
          cp.next = cancel.rollback && didSomething && runbook.rollback.length > 0 ? enterRollback(cp, runbook.rollback) : undefined;
          await save();
          continue;
        }
      }
      const { phase, stepId } = cp.next;
      const list = stepsOf(phase);
      const index = list.findIndex((s) => s.id === stepId);
      const step = list[index]!;
      const following = list[index + 1] ? { phase, stepId: list[index + 1]!.id } : undefined;
      const record = recordFor(cp.steps, phase, step);
      if (++cp.executions > MAX_EXECUTIONS) throw new LifeboatError('LB_ERR_RUNBOOK_INVALID', `run executed more than ${MAX_EXECUTIONS} steps; a goto loop does not end`, { step: step.id });

      if (step.when && !evaluateCondition(step.when, await runScope(run, deps, needsOf(step.when)), `${step.id}.when`)) {
        record.state = 'skipped';
        record.outcome = `skipped: ${step.when} is false`;
        logger.info({ step: record.id, action: step.action, outcome: record.outcome }, 'runbook step skipped');
        cp.next = following;
        await save();
        continue;
      }

      await emit(deps, run, 'step.started', { step: record.id, kind: step.action, title: record.title });
      context.step = record.id;
      logger.info({ action: step.action, title: record.title, attempt: record.attempts + 1 }, 'runbook step started');
      const stepStarted = Date.now();
      const failure = await runStep(run, step, record, deps, save);
      logger[record.state === 'failed' ? 'warn' : 'info'](
        {
          action: step.action,
          state: record.state,
          outcome: record.outcome,
          attempts: record.attempts,
          durationMs: Date.now() - stepStarted,
          ...(record.error ? { code: record.error.code } : {}),
          ...(record.stuck ? { stuck: true } : {}),
        },
        'runbook step finished',
      );
      delete context.step;
      await emit(deps, run, 'step.finished', { step: record.id, kind: step.action, state: record.state, outcome: record.outcome, ...(record.stuck ? { stuck: true } : {}) });
      if (failure === 'cancelled') continue;
      if (!failure) {
        cp.next = following;
      } else if (phase === 'rollback') {
        // A rollback step that fails stops the rollback unless it says continue.
        cp.next = step.onFailure === 'continue' ? following : undefined;
      } else if (step.onFailure === 'continue') {
        cp.next = following;
      } else if (step.onFailure.startsWith('goto:')) {
        cp.next = { phase, stepId: step.onFailure.slice(5) };
      } else {
        cp.error = failure;
        skipPending(cp.steps, `not run: ${step.id} failed`);
        cp.next = step.onFailure === 'rollback' && runbook.rollback.length > 0 ? enterRollback(cp, runbook.rollback) : undefined;
      }
      await save();
    }
  } catch (e) {
    delete context.step;
    if (isTransient(e) && !hooks.isFinalAttempt) {
      logger.warn({ kind: 'runbook', ...problemFields(e) }, 'runbook run attempt failed; the queue retries it');
      await save();
      return { state: cp.state, retry: true, error: e };
    }
    cp.error = problemOf(e);
  }

  skipPending(cp.steps, 'not run: the run went another way');
  cp.state = cp.cancel ? 'cancelled' : cp.error ? 'failed' : 'succeeded';
  cp.finishedAt = deps.clock.now().toISOString();
  cp.outputs = runOutputs(runbook.outputs, run);
  await Promise.all(
    cp.steps
      .filter((s) => s.state === 'succeeded' && s.startedAt && s.finishedAt)
      .map((s) => deps.runbookStore.recordDuration(run.runbook, s.id, new Date(s.finishedAt!).getTime() - new Date(s.startedAt!).getTime()).catch(() => undefined)),
  );
  await save();
  await emit(deps, run, 'operation.finished', { state: cp.state, ...(cp.error ? { error: cp.error } : {}) });
  logger[cp.state === 'failed' ? 'warn' : 'info']({ kind: 'runbook', runbook: run.runbook, state: cp.state, durationMs: Date.now() - started, ...(cp.error ? { code: cp.error.code, error: cp.error.message } : {}) }, 'runbook run finished');
  return { state: cp.state, retry: false };
}

function problemFields(e: unknown): { code: string; error: string } {
  const p = problemOf(e);
  return { code: p.code, error: p.message };
}

async function emit(deps: RunbookDeps, run: RunData, type: OperationEventType, data: Record<string, unknown>): Promise<void> {
  await deps.events.publish({ type, operationId: run.id, kind: 'runbook', at: deps.clock.now().toISOString(), data }).catch(() => undefined);
}

function enterRollback(cp: RunData['checkpoint'], rollback: RunbookStep[]): RunData['checkpoint']['next'] {
  for (const s of rollback) if (!cp.steps.some((r) => r.id === `rollback/${s.id}`)) cp.steps.push(pendingRecord('rollback', s));
  return { phase: 'rollback', stepId: rollback[0]!.id };
}

function recordFor(records: RunStepRecord[], phase: RunPhase, step: RunbookStep): RunStepRecord {
  const id = phase === 'rollback' ? `rollback/${step.id}` : step.id;
  let record = records.find((r) => r.id === id);
  if (!record) {
    record = pendingRecord(phase, step);
    records.push(record);
  }
  return record;
}

function skipPending(records: RunStepRecord[], why: string): void {
  for (const r of records) {
    if (r.state === 'pending') {
      r.state = 'skipped';
      r.outcome = why;
    }
  }
}

/**
 * One step, with its retries, timeout and stuck watch. Returns undefined when it succeeded,
 * 'cancelled' when the run was cancelled meanwhile, or the problem it failed with.
 */
async function runStep(run: RunData, step: RunbookStep, record: RunStepRecord, deps: RunbookDeps, save: () => Promise<void>) {
  const now = () => deps.clock.now();
  record.startedAt ??= now().toISOString();
  delete record.error;
  const retries = step.retries?.count ?? 0;
  for (;;) {
    record.state = 'running';
    record.attempts += 1;
    await save();
    const controller = new AbortController();
    const timers: NodeJS.Timeout[] = [];
    if (step.timeoutSeconds) {
      const attemptStart = (record.detail?.attemptStartedAt as string | undefined) ?? now().toISOString();
      record.detail = { ...record.detail, attemptStartedAt: attemptStart };
      const left = new Date(attemptStart).getTime() + step.timeoutSeconds * 1000 - now().getTime();
      timers.push(setTimeout(() => controller.abort(new TimedOut()), Math.max(0, left)));
    }
    timers.push(
      setInterval(() => {
        deps.store.cancelRequest(run.id).then((c) => c && !run.checkpoint.cancel && controller.abort(new Cancelled()), () => undefined);
      }, Math.min(1000, deps.settings.LIFEBOAT_RUNBOOK_POLL_MS)),
    );
    const stuck = await stuckWatch(run, record, deps, save);
    if (stuck) timers.push(stuck);
    const ctx: ActionContext = {
      deps,
      run,
      record,
      step,
      inputs: {},
      signal: controller.signal,
      save,
      scope: (needs) => runScope(run, deps, needs),
      sleep: (ms) => abortableSleep(ms, controller.signal),
      actor: `runbook:${run.runbook}`,
    };
    try {
      ctx.inputs = resolveTemplates(step.inputs, await runScope(run, deps, needsOfTemplates(step.inputs)), `${step.id}.inputs`) as Record<string, unknown>;
      const result = await Promise.race([ACTIONS[step.action](ctx), aborted(controller.signal)]);
      record.state = 'succeeded';
      record.outcome = result.outcome;
      if (result.outputs) record.outputs = result.outputs;
      record.finishedAt = now().toISOString();
      if (record.detail) delete record.detail.attemptStartedAt;
      return undefined;
    } catch (e) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : e;
      if (reason instanceof Cancelled) {
        record.state = 'skipped';
        record.outcome = 'interrupted: the run was cancelled';
        record.finishedAt = now().toISOString();
        return 'cancelled' as const;
      }
      const problem =
        reason instanceof TimedOut
          ? step.action === 'approve'
            ? { code: 'LB_ERR_APPROVAL_TIMEOUT' as const, message: `nobody approved ${step.id} within ${step.timeoutSeconds} s` }
            : { code: 'LB_ERR_STEP_TIMEOUT' as const, message: `${step.id} did not finish within ${step.timeoutSeconds} s` }
          : e instanceof TypeError
            ? { code: 'LB_ERR_RUNBOOK_INVALID' as const, message: e.message }
            : problemOf(e);
      record.error = problem;
      record.outcome = problem.message;
      if (record.detail) delete record.detail.attemptStartedAt;
      // A failed attempt forgets the operation or child run it started, so a retry starts a new one.
      if (record.detail) {
        delete record.detail.operationId;
        delete record.detail.runId;
      }
      if (record.attempts <= retries) {
        record.state = 'failed';
        await save();
        const base = step.retries!.backoffSeconds * 1000;
        await deps.clock.sleep(step.retries!.backoff === 'exponential' ? base * 2 ** (record.attempts - 1) : base);
        continue;
      }
      record.state = 'failed';
      record.finishedAt = now().toISOString();
      return problem;
    } finally {
      for (const t of timers) clearTimeout(t);
    }
  }
}

/**
 * Flag the step stuck (once) when it runs far longer than its history says it should. No
 * timer when there is nothing to watch: too little history, or a step already flagged.
 */
async function stuckWatch(run: RunData, record: RunStepRecord, deps: RunbookDeps, save: () => Promise<void>): Promise<NodeJS.Timeout | undefined> {
  if (record.stuck) return undefined;
  const history = await deps.runbookStore.durations(run.runbook, record.id).catch(() => []);
  const sorted = [...history].sort((a, b) => a - b);
  const median = sorted.length >= 3 ? sorted[Math.floor(sorted.length / 2)]! : undefined;
  const limit = Math.max(deps.settings.LIFEBOAT_STUCK_MIN * 1000, (median ?? Infinity) * deps.settings.LIFEBOAT_STUCK_FACTOR);
  if (!Number.isFinite(limit)) return undefined;
  const timer = setInterval(() => {
    if (record.stuck) return;
    if (deps.clock.now().getTime() - new Date(record.startedAt!).getTime() > limit) {
      record.stuck = true;
      save().catch(() => undefined);
    }
  }, 1000);
  return timer;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

function runOutputs(outputs: Record<string, string>, run: RunData): Record<string, unknown> {
  const scope = baseScope(run);
  const result: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(outputs)) {
    try {
      result[k] = resolveTemplates(v, scope, `outputs.${k}`);
    } catch (e) {
      result[k] = { error: (e as Error).message };
    }
  }
  return result;
}
