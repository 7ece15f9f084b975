import type { Problem } from '../core/errors';
import type { OperationContext } from './operation-context';
import type { CancelRequest, OperationState, StepState } from './operation-types';
import type { Clock } from './ports/clock';
import type { OperationEvents } from './ports/operation-events';
import type { OperationStore } from './ports/operation-store';
import type { RunStopped } from './checkpoint-runner-watches';

/** What the runner keeps in a checkpoint, an operation's or a runbook run's alike. */
interface RunnerCheckpoint {
  state: OperationState;
  startedAt?: string;
  finishedAt?: string;
  cancel?: CancelRequest;
  error?: Problem;
}

/** What the runner keeps in a step's record, an operation step's or a runbook step's alike. */
interface RunnerStepRecord {
  id: string;
  state: StepState;
  attempts: number;
  /** The first start: a step resumed by another worker keeps it. */
  startedAt?: string;
  finishedAt?: string;
  outcome?: string;
  error?: Problem;
  /** Running much longer than this step usually takes. */
  stuck?: boolean;
  detail?: Record<string, unknown>;
}

/** The worker's side of a run: where the checkpoint goes, and what the queue knows of the job. */
export interface CheckpointHooks<T> {
  /** Persist the checkpoint (the job's data). */
  save(data: T): Promise<void>;
  /** Whether a transient failure now ends the run instead of being retried by the queue. */
  isFinalAttempt: boolean;
  /**
   * Whether this worker still owns the job. A worker cut off from Redis longer than its job
   * lock loses it to another worker, and must stop at the next step boundary.
   */
  stillOwner?(): Promise<boolean>;
  /**
   * Aborted (with a RunStopped reason) when the worker must let go of the run: it is
   * stopping (SIGTERM), or it has lost the job. The run stops at its next safe point (a
   * step boundary, or a step's wait) and the step that was running stays running, for the
   * worker that takes the job next.
   */
  stopping?: AbortSignal;
}

export type RunOutcome =
  | { state: OperationState; retry: false }
  | { state: OperationState; retry: true; error: unknown }
  | { state: OperationState; retry: false; lostOwnership: true }
  /** The worker is stopping: the run stopped at a safe point, to be handed back to the queue at once. */
  | { state: OperationState; retry: false; handedOver: true };

/** The ports the runner itself uses. */
export interface RunnerDeps {
  clock: Clock;
  events: OperationEvents;
  store: Pick<OperationStore, 'cancelRequest'>;
}

/** What one attempt of a step gets from the runner. */
export interface StepAttempt {
  /** Aborted with Interrupted when the run is cancelled, with StepTimedOut when the attempt runs out of time. */
  signal: AbortSignal;
  /** Sleep on the run's clock; rejects with the signal's reason as soon as it aborts. */
  wait(ms: number): Promise<void>;
}

/** One step as an engine hands it to the runner: its record, and how to carry it out. */
export interface RunnerStep {
  record: RunnerStepRecord;
  /** The step's kind (a runbook step's action), on its events and log lines. */
  kind: string;
  title: string;
  /** More about the step for its events and log lines (a stage, an action), if anything. */
  fields?: Record<string, unknown>;
  /** One attempt; resolves with the outcome, one line for a human. */
  attempt(attempt: StepAttempt): Promise<string>;
  /** Why the step is skipped this time (a false `when`), or undefined to run it. */
  skipReason?(): Promise<string | undefined>;
  /** How long one attempt may take, and what it fails with when it takes longer. */
  timeout?: { ms: number; problem: Problem };
  /** How long to wait before trying again after `attempts` attempts failed; undefined: no more. */
  retryDelayMs?(attempts: number): number | undefined;
  /** How long the step may run before it is flagged stuck; undefined: no watch. */
  stuckAfterMs?(): Promise<number | undefined>;
}

/** How a step ended. An interrupted step was skipped because the run was cancelled meanwhile. */
export type StepEnd =
  | { state: 'succeeded' }
  /** Stopped at a safe point because the worker let go of the run: the step stays running. */
  | { state: 'stopped'; why: RunStopped['why'] }
  | { state: 'skipped'; interrupted: boolean }
  | { state: 'failed'; problem: Problem; error: unknown };

/**
 * An engine's run (an operation, a runbook run) as the checkpoint runner carries it out:
 * which step comes next, what a cancel and a step's end lead to, and how the run ends.
 */
export interface CheckpointedRun<T, S extends RunnerStep = RunnerStep> {
  /** What the worker saves: the job's data, holding the checkpoint. */
  data: T;
  checkpoint: RunnerCheckpoint;
  id: string;
  /** On every event: the operation's kind, or 'runbook'. */
  kind: string;
  actor: string;
  /** The logger's context (operation id, region); the runner adds the step running. */
  context: OperationContext;
  /** How log lines and outcomes name the run and its steps. */
  names: { run: string; step: string; inOutcomes: string };
  /** More about the run on its start and end lines (a runbook's name), if anything. */
  fields?: Record<string, unknown>;
  /** How often a running step looks for a cancel request. */
  cancelPollMs: number;
  /** Before the run starts or resumes: what the job does not carry. */
  prepare?(): Promise<void>;
  /** The step to run now, or undefined when no step is left. */
  nextStep(): Promise<S | undefined>;
  /** A cancel request seen between steps: skip what is left, or line up the rollback. */
  cancelled(request: CancelRequest): void;
  /** Where the run goes after a step ended; throwing ends the run's attempt with that error. */
  stepEnded(step: S, end: StepEnd): void;
  /** The state the run ends in, once no step is left, or an error stopped it (failure). */
  endState(failure: { error: unknown } | undefined): OperationState;
  /** The engine's last word before the final save (results, leases, outputs): more fields for the finished event and line. */
  finish(): Promise<Record<string, unknown>>;
}

/** A run as the runner's procedures pass it around: the engine's run, the ports and the worker's hooks. */
export interface RunnerContext<T = unknown, S extends RunnerStep = RunnerStep> {
  run: CheckpointedRun<T, S>;
  deps: RunnerDeps;
  hooks: CheckpointHooks<T>;
  /** Save the checkpoint now. */
  save(): Promise<void>;
}
