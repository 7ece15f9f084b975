import type { Problem } from '../core/errors';
import { LifeboatError } from '../core/errors';
import { evaluateCondition, resolveTemplates } from '../core/runbooks/expressions';
import type { Runbook, RunbookAction, RunbookStep } from '../core/runbooks/runbook-schema';
import type { CheckpointHooks, CheckpointedRun, RunOutcome, RunnerStep, StepAttempt, StepEnd } from '../operations/checkpoint-runner';
import { Interrupted, RunStopped, runCheckpointed, unlessAborted } from '../operations/checkpoint-runner';
import type { OperationContext } from '../operations/operation-context';
import type { CancelRequest, OperationState } from '../operations/operation-types';
import type { Action, ActionContext, RunbookDeps } from './action-context';
import { approveAction } from './actions/approve';
import { childRunbookAction } from './actions/child-runbook';
import { assertAction, waitAction } from './actions/flow-actions';
import { notifyAction } from './actions/notify';
import { operationAction, planAction } from './actions/operation-actions';
import { readinessAction } from './actions/readiness';
import { runbookNamed } from './runbook-catalog';
import { baseScope, needsOf, needsOfTemplates, runScope } from './run-scope';
import type { RunCheckpoint, RunData, RunPhase, RunStepRecord } from './run-types';
import { pendingRecord } from './start-run';

const ACTIONS: Record<RunbookAction, Action> = {
  plan: planAction,
  evacuate: operationAction('evacuate'),
  shift: operationAction('shift'),
  restore: operationAction('restore'),
  scale: operationAction('scale'),
  'prepare-dark-capacity': operationAction('prepare-dark-capacity'),
  'release-dark-capacity': operationAction('release-dark-capacity'),
  wait: waitAction,
  assert: assertAction,
  approve: approveAction,
  notify: notifyAction,
  readiness: readinessAction,
  runbook: childRunbookAction,
};

/** A goto loop ends here: no run executes more steps than this. */
const MAX_EXECUTIONS = 200;

/** A running step looks for a cancel request as often as actions poll, and at least once a second. */
const CANCEL_CHECK_MS = 1000;

/**
 * Carry a runbook run out from its checkpoint (the checkpoint runner): the step to run next
 * is recorded, each step's state and outputs are saved as it ends, so a worker that takes
 * over resumes at the step that was running. onFailure decides what a failed step leads
 * to: abort, continue, the rollback steps, or another step.
 */
export function runRunbook(run: RunData, deps: RunbookDeps, hooks: CheckpointHooks<RunData>): Promise<RunOutcome> {
  return runCheckpointed(new RunbookRun(run, deps, hooks), deps, hooks);
}

/** A runbook step as the runner carries it out, with where it sits and where the run goes after it. */
interface RunbookRunnerStep extends RunnerStep {
  record: RunStepRecord;
  step: RunbookStep;
  phase: RunPhase;
  following: RunCheckpoint['next'];
}

/** A runbook run as the checkpoint runner sees it: the runbook says the steps, the checkpoint where the run is. */
class RunbookRun implements CheckpointedRun<RunData, RunbookRunnerStep> {
  readonly kind = 'runbook';
  readonly names = { run: 'runbook run', step: 'runbook step', inOutcomes: 'run' };
  readonly id: string;
  readonly actor: string;
  readonly context: OperationContext;
  readonly fields: Record<string, unknown>;
  readonly cancelPollMs: number;

  constructor(
    readonly data: RunData,
    private readonly deps: RunbookDeps,
    private readonly hooks: CheckpointHooks<RunData>,
  ) {
    this.id = data.id;
    this.actor = data.actor;
    this.fields = { runbook: data.runbook };
    this.cancelPollMs = Math.min(CANCEL_CHECK_MS, deps.settings.LIFEBOAT_RUNBOOK_POLL_MS);
    // Like an operation's, every line logged for the run carries its id, the step and the region.
    this.context = {
      operationId: data.id,
      actor: `runbook:${data.runbook}`,
      planHash: () => undefined,
      ...(typeof data.params.region === 'string' ? { region: data.params.region } : {}),
    };
  }

  get checkpoint(): RunCheckpoint {
    return this.data.checkpoint;
  }

  private get runbook(): Runbook {
    return runbookNamed(this.deps.runbooks, this.data.runbook);
  }

  /** An unknown runbook stops the job before the run starts. */
  async prepare(): Promise<void> {
    runbookNamed(this.deps.runbooks, this.data.runbook);
  }

  async nextStep(): Promise<RunbookRunnerStep | undefined> {
    const cp = this.checkpoint;
    if (!cp.next) return undefined;
    const { phase, stepId } = cp.next;
    const list = phase === 'steps' ? this.runbook.steps : this.runbook.rollback;
    const index = list.findIndex((s) => s.id === stepId);
    const step = list[index]!;
    const after = list[index + 1];
    const record = recordFor(cp.steps, phase, step);
    if (++cp.executions > MAX_EXECUTIONS) throw new LifeboatError('LB_ERR_RUNBOOK_INVALID', `run executed more than ${MAX_EXECUTIONS} steps; a goto loop does not end`, { step: step.id });
    return this.runnerStep(step, phase, record, after ? { phase, stepId: after.id } : undefined);
  }

  /** A cancel request skips what is left; with rollback, the rollback steps run if the run did anything. */
  cancelled(request: CancelRequest): void {
    const cp = this.checkpoint;
    skipPending(cp.steps, `cancelled by ${request.by}`);
    const didSomething = cp.steps.some((s) => s.state === 'succeeded');
    cp.next = request.rollback && didSomething && this.runbook.rollback.length > 0 ? enterRollback(cp, this.runbook.rollback) : undefined;
  }

  stepEnded(step: RunbookRunnerStep, end: StepEnd): void {
    // An interrupted step leaves the way on to the cancel request the runner takes next.
    if (end.state === 'skipped' && end.interrupted) return;
    this.checkpoint.next = end.state === 'failed' ? this.afterFailure(step, end.problem) : step.following;
  }

  endState(): OperationState {
    const cp = this.checkpoint;
    return cp.cancel ? 'cancelled' : cp.error ? 'failed' : 'succeeded';
  }

  async finish(): Promise<Record<string, unknown>> {
    const cp = this.checkpoint;
    skipPending(cp.steps, 'not run: the run went another way');
    cp.outputs = runOutputs(this.runbook.outputs, this.data);
    // What succeeded tells later runs how long each step usually takes (the stuck flag).
    const timed = cp.steps.filter((s) => s.state === 'succeeded' && s.startedAt && s.finishedAt);
    await Promise.all(timed.map((s) => this.deps.runbookStore.recordDuration(this.data.runbook, s.id, Date.parse(s.finishedAt!) - Date.parse(s.startedAt!)).catch(() => undefined)));
    return {};
  }

  /** onFailure: continue, goto another step, or stop (abort, or the rollback steps); a failed rollback step stops the rollback unless it says continue. */
  private afterFailure({ step, phase, following }: RunbookRunnerStep, problem: Problem): RunCheckpoint['next'] {
    const cp = this.checkpoint;
    if (phase === 'rollback') return step.onFailure === 'continue' ? following : undefined;
    if (step.onFailure === 'continue') return following;
    if (step.onFailure.startsWith('goto:')) return { phase, stepId: step.onFailure.slice(5) };
    cp.error = problem;
    skipPending(cp.steps, `not run: ${step.id} failed`);
    return step.onFailure === 'rollback' && this.runbook.rollback.length > 0 ? enterRollback(cp, this.runbook.rollback) : undefined;
  }

  private runnerStep(step: RunbookStep, phase: RunPhase, record: RunStepRecord, following: RunCheckpoint['next']): RunbookRunnerStep {
    return {
      record,
      step,
      phase,
      following,
      kind: step.action,
      title: record.title,
      fields: { action: step.action },
      attempt: (attempt) => this.attempt(step, record, attempt),
      ...(step.when ? { skipReason: () => this.skipReason(step.id, step.when!) } : {}),
      ...(step.timeoutSeconds ? { timeout: { ms: step.timeoutSeconds * 1000, problem: timeoutProblem(step) } } : {}),
      retryDelayMs: (attempts) => retryDelayMs(step, attempts),
      stuckAfterMs: () => this.stuckAfterMs(record),
    };
  }

  private async skipReason(stepId: string, when: string): Promise<string | undefined> {
    const holds = evaluateCondition(when, await runScope(this.data, this.deps, needsOf(when)), `${stepId}.when`);
    return holds ? undefined : `skipped: ${when} is false`;
  }

  /** One attempt of the step's action, with its inputs resolved now. */
  private async attempt(step: RunbookStep, record: RunStepRecord, attempt: StepAttempt): Promise<string> {
    const ctx: ActionContext = {
      deps: this.deps,
      run: this.data,
      record,
      step,
      inputs: {},
      signal: attempt.signal,
      save: () => this.hooks.save(this.data),
      scope: (needs) => runScope(this.data, this.deps, needs),
      sleep: attempt.wait,
      actor: `runbook:${this.data.runbook}`,
    };
    try {
      ctx.inputs = resolveTemplates(step.inputs, await runScope(this.data, this.deps, needsOfTemplates(step.inputs)), `${step.id}.inputs`) as Record<string, unknown>;
      // An action still going when its step times out or the run is cancelled is left behind: the step ends now.
      const result = await unlessAborted(ACTIONS[step.action](ctx), attempt.signal);
      if (result.outputs) record.outputs = result.outputs;
      return result.outcome;
    } catch (e) {
      const reason: unknown = attempt.signal.aborted ? attempt.signal.reason : e;
      // A failed attempt forgets the operation or child run it started, so a retry starts a new one;
      // a run handed over to another worker keeps them, for that worker to follow.
      if (!(reason instanceof Interrupted) && !(reason instanceof RunStopped) && record.detail) {
        delete record.detail.operationId;
        delete record.detail.runId;
      }
      throw reason;
    }
  }

  /** Far longer than the step's history says it takes (and than a floor, so quick steps are not flagged for noise); nothing without history. */
  private async stuckAfterMs(record: RunStepRecord): Promise<number | undefined> {
    if (record.stuck) return undefined;
    const history = await this.deps.runbookStore.durations(this.data.runbook, record.id).catch(() => []);
    if (history.length < 3) return undefined;
    const median = [...history].sort((a, b) => a - b)[Math.floor(history.length / 2)]!;
    const { LIFEBOAT_STUCK_MIN, LIFEBOAT_STUCK_FACTOR } = this.deps.settings;
    return Math.max(LIFEBOAT_STUCK_MIN * 1000, median * LIFEBOAT_STUCK_FACTOR);
  }
}

function timeoutProblem(step: RunbookStep): Problem {
  return step.action === 'approve'
    ? { code: 'LB_ERR_APPROVAL_TIMEOUT', message: `nobody approved ${step.id} within ${step.timeoutSeconds} s` }
    : { code: 'LB_ERR_STEP_TIMEOUT', message: `${step.id} did not finish within ${step.timeoutSeconds} s` };
}

/** The backoff before the next attempt, or undefined when the step's retries are spent. */
function retryDelayMs(step: RunbookStep, attempts: number): number | undefined {
  if (!step.retries || attempts > step.retries.count) return undefined;
  const base = step.retries.backoffSeconds * 1000;
  return step.retries.backoff === 'exponential' ? base * 2 ** (attempts - 1) : base;
}

function enterRollback(cp: RunCheckpoint, rollback: RunbookStep[]): RunCheckpoint['next'] {
  for (const s of rollback) if (!cp.steps.some((r) => r.id === `rollback/${s.id}`)) cp.steps.push(pendingRecord('rollback', s));
  return { phase: 'rollback', stepId: rollback[0]!.id };
}

function recordFor(records: RunStepRecord[], phase: RunPhase, step: RunbookStep): RunStepRecord {
  const id = phase === 'rollback' ? `rollback/${step.id}` : step.id;
  const index = records.findIndex((r) => r.id === id);
  if (index < 0) {
    const record = pendingRecord(phase, step);
    records.push(record);
    return record;
  }
  // A step that ended and is entered again (a goto) is a new execution: its times, attempts
  // and timeout start afresh. A step still running was interrupted by a crash: it resumes.
  if (records[index]!.finishedAt !== undefined) records[index] = pendingRecord(phase, step);
  return records[index]!;
}

function skipPending(records: RunStepRecord[], why: string): void {
  for (const r of records) {
    if (r.state === 'pending') {
      r.state = 'skipped';
      r.outcome = why;
    }
  }
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
