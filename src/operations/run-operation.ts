import { CallTally, withCallTally } from '../cloud/call-tally';
import type { OperationEventType } from './ports/operation-events';
import { logger } from './logger';
import type { OperationDeps } from './deps';
import type { OperationContext } from './operation-context';
import { withOperationContext } from './operation-context';
import { OperationRefused, isTransient, problemOf } from './operation-errors';
import type { OperationData, OperationResult, OperationState, Progress, StepKind, StepRecord } from './operation-types';
import { FINISHED_STATES } from './operation-types';
import { guardStep, rollbackSteps } from './step-list';
import { awaitCapacity } from './steps/await-capacity';
import { guard } from './steps/guard';
import { applyWeights } from './steps/apply-weights';
import { awaitDns } from './steps/await-dns';
import { dwell } from './steps/dwell';
import { finalize } from './steps/finalize';
import { prescale } from './steps/prescale';
import { rollbackCapacity } from './steps/rollback-capacity';
import { rollbackDns } from './steps/rollback-dns';
import { rollbackWeights } from './steps/rollback-weights';
import { verify } from './steps/verify';
import type { StepContext, StepHandler } from './steps/step-context';
import { Interrupted } from './steps/step-context';

const HANDLERS: Record<StepKind, StepHandler> = {
  guard,
  prescale,
  'await-capacity': awaitCapacity,
  'apply-weights': applyWeights,
  'await-dns': awaitDns,
  dwell,
  verify,
  finalize,
  'rollback-weights': rollbackWeights,
  'rollback-dns': rollbackDns,
  'rollback-capacity': rollbackCapacity,
};

export interface RunHooks {
  /** Persist the operation (the job's data): the checkpoint. */
  save(op: OperationData): Promise<void>;
  report(progress: Progress): Promise<void>;
  /** Whether a transient failure now ends the operation instead of being retried. */
  isFinalAttempt: boolean;
  /**
   * Whether this worker still owns the operation. A worker cut off from Redis longer than
   * its job lock loses it to another worker, and must stop at the next step boundary.
   */
  stillOwner?(): Promise<boolean>;
}

export type RunOutcome =
  | { state: OperationState; retry: false }
  | { state: OperationState; retry: true; error: unknown }
  | { state: OperationState; retry: false; lostOwnership: true };

/**
 * Carry an operation out from its checkpoint: each step runs at most to completion once
 * it is recorded as succeeded, so a worker that takes over after a crash goes on from the
 * step that was running. Steps set absolute targets, so running that one again is harmless.
 */
export async function runOperation(op: OperationData, deps: OperationDeps, hooks: RunHooks): Promise<RunOutcome> {
  // Everything logged while it runs names the operation (and, within a step, the step).
  return withOperationContext(operationContextOf(op), () => runInContext(op, deps, hooks));
}

/** Who the operation is for and which regions it is about; the runner adds the step. */
function operationContextOf(op: OperationData, step?: StepRecord): OperationContext {
  const intent = op.intent;
  return {
    operationId: op.id,
    actor: op.actor,
    planHash: () => op.checkpoint.planHash,
    region: intent.kind === 'shift' ? intent.from : intent.region,
    regions: op.regions,
    ...(step ? { step: step.id } : {}),
  };
}

async function runInContext(op: OperationData, deps: OperationDeps, hooks: RunHooks): Promise<RunOutcome> {
  const cp = op.checkpoint;
  if (FINISHED_STATES.includes(cp.state)) return { state: cp.state, retry: false };
  if (cp.steps.length === 0) cp.steps.push(guardStep());
  // The snapshot is kept beside the job, not in it (see OperationStore.saveSnapshot).
  if (cp.plan && !cp.snapshot) cp.snapshot = (await deps.store.snapshotOf(op.id))?.snapshot;
  const firstStart = !cp.startedAt;
  cp.startedAt ??= deps.clock.now().toISOString();
  cp.state = cp.cancel ? 'cancelling' : 'running';
  await hooks.save(op);
  await emit(deps, op, 'operation.started', { resumed: !firstStart, actor: op.actor });
  logger.info({ kind: op.kind, actor: op.actor, resumed: !firstStart }, firstStart ? 'operation started' : 'operation resumed');

  const leaseMs = deps.settings.LIFEBOAT_LEASE_TTL * 1000;
  const renewal = setInterval(() => {
    if (cp.steps[0]?.state === 'succeeded') deps.leases.acquire(op.id, op.regions, leaseMs).catch(() => undefined);
  }, Math.max(200, leaseMs / 3));

  try {
    for (;;) {
      if (hooks.stillOwner && !(await hooks.stillOwner())) return { state: cp.state, retry: false, lostOwnership: true };
      await handleCancelRequest(op, deps);
      const step = cp.steps.find((s) => s.state === 'pending' || s.state === 'running' || s.state === 'failed');
      if (!step) break;
      const tally = new CallTally();
      try {
        const context = operationContextOf(op, step);
        await withCallTally(tally, () => withOperationContext(context, () => runStep(op, step, deps, hooks)));
      } finally {
        cp.awsCalls = [...(cp.awsCalls ?? []), ...tally.summary().byAction];
      }
    }
    return { state: await finish(op, deps, hooks, cp.cancel ? 'cancelled' : 'succeeded'), retry: false };
  } catch (e) {
    const problem = problemOf(e);
    if (isTransient(e) && !hooks.isFinalAttempt) {
      await hooks.save(op);
      await emit(deps, op, 'operation.error', { error: problem, retrying: true });
      logger.warn({ kind: op.kind, code: problem.code, error: problem.message }, 'operation attempt failed; the queue retries it');
      return { state: cp.state, retry: true, error: e };
    }
    cp.error = problem;
    return { state: await finish(op, deps, hooks, e instanceof OperationRefused ? 'refused' : 'failed'), retry: false };
  } finally {
    clearInterval(renewal);
  }
}

async function runStep(op: OperationData, step: StepRecord, deps: OperationDeps, hooks: RunHooks): Promise<void> {
  const now = () => deps.clock.now().toISOString();
  // A step resumed after a crash keeps its first start, so its timeouts and dwell span the takeover.
  step.startedAt ??= now();
  step.state = 'running';
  step.attempts += 1;
  delete step.error;
  await hooks.save(op);
  await emit(deps, op, 'step.started', { step: step.id, kind: step.kind, title: step.title, attempt: step.attempts, ...(step.stage !== undefined ? { stage: step.stage } : {}) });
  logger.info({ kind: step.kind, title: step.title, attempt: step.attempts }, 'step started');
  const ctx: StepContext = {
    ...deps,
    op,
    step,
    save: () => hooks.save(op),
    report: async (p) => {
      await hooks.report({ ...p, at: now() });
      if (p.capacity) await emit(deps, op, 'capacity.progress', { step: step.id, capacity: p.capacity });
      if (p.weights) await emit(deps, op, 'weights.applied', { step: step.id, weights: p.weights });
    },
    // Once cancelling, the rollback's own waits must not be interrupted by the same request.
    cancelRequested: async () => !op.checkpoint.cancel && !!(await deps.store.cancelRequest(op.id)),
  };
  try {
    const { outcome, detail } = await HANDLERS[step.kind](ctx);
    step.state = 'succeeded';
    step.outcome = outcome;
    if (detail) step.detail = detail;
  } catch (e) {
    if (e instanceof Interrupted) {
      step.state = 'skipped';
      step.outcome = 'interrupted: the operation was cancelled';
    } else {
      step.state = 'failed';
      step.error = problemOf(e);
      step.outcome = step.error.message;
      step.finishedAt = now();
      await hooks.save(op);
      await emit(deps, op, 'step.finished', stepFinished(step));
      logStepFinished(step);
      throw e;
    }
  }
  step.finishedAt = now();
  await hooks.save(op);
  await emit(deps, op, 'step.finished', stepFinished(step));
  logStepFinished(step);
}

function logStepFinished(step: StepRecord): void {
  const { step: _id, ...fields } = stepFinished(step);
  logger[step.state === 'failed' ? 'warn' : 'info'](fields, 'step finished');
}

function stepFinished(step: StepRecord): Record<string, unknown> {
  const ms = step.startedAt && step.finishedAt ? new Date(step.finishedAt).getTime() - new Date(step.startedAt).getTime() : undefined;
  return { step: step.id, kind: step.kind, state: step.state, outcome: step.outcome, ...(ms !== undefined ? { durationMs: ms } : {}), ...(step.error ? { error: step.error } : {}) };
}

/** Events are a view of what happened: losing one must never fail the operation. */
async function emit(deps: OperationDeps, op: OperationData, type: OperationEventType, data: Record<string, unknown>): Promise<void> {
  await deps.events.publish({ type, operationId: op.id, kind: op.kind, at: deps.clock.now().toISOString(), data }).catch(() => undefined);
}

/**
 * Between steps: a cancel request skips what is left; with rollback, the traffic goes back
 * first and the capacity after, in their own checkpointed steps.
 */
async function handleCancelRequest(op: OperationData, deps: OperationDeps): Promise<void> {
  const cp = op.checkpoint;
  if (cp.cancel) return;
  const request = await deps.store.cancelRequest(op.id);
  if (!request) return;
  cp.cancel = request;
  cp.state = 'cancelling';
  for (const s of cp.steps) {
    if (s.state === 'pending' || s.state === 'failed') {
      s.state = 'skipped';
      s.outcome = `skipped: cancelled by ${request.by}`;
    }
  }
  const didSomething = cp.steps.some((s) => s.kind !== 'guard' && s.state === 'succeeded');
  if (request.rollback && didSomething) cp.steps.push(...rollbackSteps());
}

async function finish(op: OperationData, deps: OperationDeps, hooks: RunHooks, state: OperationState): Promise<OperationState> {
  const cp = op.checkpoint;
  cp.state = state;
  cp.finishedAt = deps.clock.now().toISOString();
  cp.result = resultOf(op);
  const region = cp.plan?.region;
  if (region && state === 'succeeded' && op.intent.kind === 'restore') await deps.store.clearEvacuation(region);
  if (region && state === 'cancelled' && cp.cancel?.rollback && (op.intent.kind === 'evacuate' || op.intent.kind === 'shift')) {
    const record = await deps.store.evacuationOf(region);
    if (record?.operationId === op.id) await deps.store.clearEvacuation(region);
  }
  await deps.leases.release(op.id, op.regions);
  await hooks.save(op);
  const durationMs = cp.startedAt ? new Date(cp.finishedAt).getTime() - new Date(cp.startedAt).getTime() : undefined;
  logger.info({ kind: op.kind, state, summary: cp.result.summary, ...(durationMs !== undefined ? { durationMs } : {}), ...(cp.error ? { code: cp.error.code } : {}) }, 'operation finished');
  await emit(deps, op, 'operation.finished', { state, summary: cp.result.summary, ...(cp.error ? { error: cp.error } : {}), ...(cp.result.awsCalls ? { awsCalls: { calls: cp.result.awsCalls.calls, retries: cp.result.awsCalls.retries, throttles: cp.result.awsCalls.throttles } } : {}) });
  return state;
}

function resultOf(op: OperationData): OperationResult {
  const cp = op.checkpoint;
  const done = (kind: StepKind) => cp.steps.filter((s) => s.kind === kind && s.state === 'succeeded');
  const stagesApplied = done('apply-weights').length;
  const weightChanges = (cp.plan?.stages ?? []).filter((s) => done('apply-weights').some((d) => d.stage === s.index)).reduce((a, s) => a + s.weights.length, 0);
  const groupsChanged = (done('prescale').length ? (cp.plan?.groupChanges.length ?? 0) : 0) + (done('finalize').length ? (cp.plan?.finalGroupChanges.length ?? 0) : 0);
  const what = `${op.kind} ${cp.plan?.region ?? ''}`.trim();
  // A stage that failed verification was rolled back: the weights in force are the stage's before it.
  const rolledBackTo = cp.error?.code === 'LB_ERR_VERIFICATION_FAILED' ? cp.error.details?.rolledBackTo : undefined;
  const weightsOf = typeof rolledBackTo === 'number' ? rolledBackTo : stagesApplied;
  const summary =
    cp.state === 'succeeded'
      ? `${what}: done — ${groupsChanged} group change(s), ${stagesApplied} stage(s), ${weightChanges} weight change(s)${cp.partial?.unplaced?.length ? ', partial (capacity short)' : ''}`
      : cp.state === 'cancelled'
        ? `${what}: cancelled by ${cp.cancel?.by}${cp.cancel?.rollback ? ', rolled back' : ` after ${stagesApplied} stage(s)`}`
        : `${what}: ${cp.state} — ${cp.error?.message ?? ''}${weightsOf ? `; weights are those of stage ${weightsOf}` : stagesApplied ? '; weights are as they were before the operation' : ''}`;
  const calls = new CallTally();
  calls.add(cp.awsCalls ?? []);
  return {
    summary,
    ...(cp.awsCalls?.length ? { awsCalls: calls.summary() } : {}),
    groupsChanged,
    weightChanges,
    stagesApplied,
    ...(cp.partial?.shortfall?.length ? { shortfall: cp.partial.shortfall } : {}),
    ...(cp.partial?.unplaced?.length ? { unplaced: cp.partial.unplaced } : {}),
  };
}
