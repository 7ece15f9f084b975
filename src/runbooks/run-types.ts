import type { Problem } from '../core/errors';
import type { CancelRequest, OperationState } from '../operations/operation-types';

/** A runbook run, as its job carries it: what was asked, by whom, and its checkpoint. */
export interface RunData {
  id: string;
  kind: 'runbook';
  runbook: string;
  params: Record<string, string | number | boolean>;
  actor: string;
  createdAt: string;
  /** Set when an alarm webhook started the run: what it sent. */
  trigger?: { name: string; id?: string; at: string; payload: unknown };
  /** A child run knows its parent. */
  parentRunId?: string;
  checkpoint: RunCheckpoint;
}

export type RunPhase = 'steps' | 'rollback';

export interface RunStepRecord {
  /** `<phase>/<step id>` for rollback steps, the step id otherwise. */
  id: string;
  stepId: string;
  phase: RunPhase;
  kind: string;
  title: string;
  state: 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  outcome?: string;
  outputs?: Record<string, unknown>;
  error?: Problem;
  /** Running much longer than this step usually takes (Maelstrom's stuck flag). */
  stuck?: boolean;
  /** Data the action keeps across a crash, e.g. the child operation it started. */
  detail?: Record<string, unknown>;
}

export interface RunCheckpoint {
  state: OperationState;
  startedAt?: string;
  finishedAt?: string;
  /** Where the run goes next; absent when it is done. */
  next?: { phase: RunPhase; stepId: string };
  steps: RunStepRecord[];
  /** Steps executed so far, goto loops included: bounded so a loop cannot run forever. */
  executions: number;
  outputs?: Record<string, unknown>;
  error?: Problem;
  cancel?: CancelRequest;
  /** The approve step waiting for a human, if any. */
  awaitingApproval?: { stepId: string; message: string; since: string };
}
