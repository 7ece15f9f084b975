import type { Problem } from '../core/errors';
import type { Plan } from '../core/planner/plan-types';
import type { QueuedOperation, QueueState } from './ports/work-queue';
import type { CancelRequest, OperationData, OperationResult, OperationState, Progress, StepRecord } from './operation-types';
import { FINISHED_STATES } from './operation-types';
import { withoutSecrets } from './redact';

/** A step as views show it: an operation's step, or a runbook run's (whose kind is its action). */
export type ViewStep = Omit<StepRecord, 'kind'> & {
  kind: string;
  phase?: 'steps' | 'rollback';
  stepId?: string;
  outputs?: Record<string, unknown>;
  /** Running much longer than this step usually takes. */
  stuck?: boolean;
};

/** An operation as people see it: what was asked, by whom, where it is, and what it did. */
export interface OperationView {
  id: string;
  kind: OperationData['kind'] | 'runbook';
  state: OperationState;
  actor: string;
  request: Record<string, unknown>;
  regions: string[];
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  forced: boolean;
  cancel?: CancelRequest;
  steps: ViewStep[];
  progress?: Progress;
  plan?: Plan;
  error?: Problem;
  /** What it did; a runbook run's result also carries the runbook's outputs. */
  result?: OperationResult & { outputs?: Record<string, unknown> };
  /** A runbook run paused at an approve step. */
  awaitingApproval?: { stepId: string; message: string; since: string };
  links: { self: string; cancel: string; approve?: string };
}

function stateOf(q: { data: { checkpoint: { state: OperationState } }; jobState: QueueState }, cancelRequested = false): OperationState {
  const cp = q.data.checkpoint;
  if (FINISHED_STATES.includes(cp.state)) return cp.state;
  if (q.jobState === 'failed') return 'failed';
  if (cancelRequested) return 'cancelling';
  return cp.state;
}

export function viewOf(q: QueuedOperation<OperationData>, options: { cancelRequested?: boolean; withPlan?: boolean } = {}): OperationView {
  const { data } = q;
  const cp = data.checkpoint;
  return composeView(q, options.cancelRequested, () => ({
    kind: data.kind,
    request: { ...data.intent, ...data.options },
    regions: data.regions,
    forced: cp.forced ?? false,
    afterSteps: { ...(q.progress ? { progress: q.progress } : {}), ...(options.withPlan !== false && cp.plan ? { plan: cp.plan } : {}) },
    ...(cp.result ? { result: cp.result } : {}),
  }));
}

/** What operations and runbook runs keep alike: who asked when, and the checkpoint's course. */
interface ViewedData {
  id: string;
  actor: string;
  createdAt: string;
  checkpoint: { state: OperationState; startedAt?: string; finishedAt?: string; cancel?: CancelRequest; steps: ViewStep[]; error?: Problem };
}

/** What differs between an operation's view and a run's. */
interface OwnViewFields {
  kind: OperationView['kind'];
  request: Record<string, unknown>;
  regions: string[];
  forced: boolean;
  /** Shown between the steps and the error: an operation's progress and plan, a run's pending approval. */
  afterSteps: Pick<OperationView, 'progress' | 'plan' | 'awaitingApproval'>;
  result?: OperationView['result'];
  approveLink?: string;
}

/**
 * A view of an operation or a run: the shared fields (the state, and the queue's failure
 * when the job died outside its checkpoint) around the ones `own` gives, in one field order.
 * What people gave lifeboat (the request: a run's parameters and its trigger's payload) and
 * what steps report is shown with secrets redacted (redact.ts: a webhook URL keeps only its
 * host), to every viewer, on every surface: the API, its event streams, the REPL, the CLI.
 */
export function composeView<D extends ViewedData>(
  q: QueuedOperation<D>,
  cancelRequested: boolean | undefined,
  own: (state: OperationState, error: Problem | undefined) => OwnViewFields,
): OperationView {
  const { data } = q;
  const cp = data.checkpoint;
  const state = stateOf(q, cancelRequested);
  const error = cp.error ?? (state === 'failed' && q.failedReason ? { code: 'LB_ERR_INTERNAL' as const, message: q.failedReason } : undefined);
  const fields = own(state, error);
  return {
    id: data.id,
    kind: fields.kind,
    state,
    actor: data.actor,
    request: withoutSecrets(fields.request),
    regions: fields.regions,
    createdAt: data.createdAt,
    ...(cp.startedAt ? { startedAt: cp.startedAt } : {}),
    ...(cp.finishedAt ? { finishedAt: cp.finishedAt } : {}),
    forced: fields.forced,
    ...(cp.cancel ? { cancel: withoutSecrets(cp.cancel) } : {}),
    steps: withoutSecrets(cp.steps),
    ...fields.afterSteps,
    ...(fields.afterSteps.awaitingApproval ? { awaitingApproval: withoutSecrets(fields.afterSteps.awaitingApproval) } : {}),
    ...(error ? { error: withoutSecrets(error) } : {}),
    ...(fields.result ? { result: withoutSecrets(fields.result) } : {}),
    links: { self: `/v1/operations/${data.id}`, cancel: `/v1/operations/${data.id}/cancel`, ...(fields.approveLink ? { approve: fields.approveLink } : {}) },
  };
}
