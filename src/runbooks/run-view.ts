import type { QueuedOperation } from '../jobs/operation-queue';
import type { OperationView } from '../operations/operation-views';
import { stateOf } from '../operations/operation-views';
import type { RunData } from './run-types';

/** A run as people see it: the same shape as an operation, kind `runbook`. */
export function runViewOf(q: QueuedOperation<RunData>, options: { cancelRequested?: boolean } = {}): OperationView {
  const { data } = q;
  const cp = data.checkpoint;
  const state = stateOf({ data: data as never, jobState: q.jobState }, options.cancelRequested);
  const error = cp.error ?? (state === 'failed' && q.failedReason ? { code: 'LB_ERR_INTERNAL' as const, message: q.failedReason } : undefined);
  const done = cp.steps.filter((s) => s.state === 'succeeded').length;
  return {
    id: data.id,
    kind: 'runbook',
    state,
    actor: data.actor,
    request: { runbook: data.runbook, params: data.params, ...(data.trigger ? { trigger: data.trigger } : {}), ...(data.parentRunId ? { parentRunId: data.parentRunId } : {}) },
    regions: [],
    createdAt: data.createdAt,
    ...(cp.startedAt ? { startedAt: cp.startedAt } : {}),
    ...(cp.finishedAt ? { finishedAt: cp.finishedAt } : {}),
    forced: false,
    ...(cp.cancel ? { cancel: cp.cancel } : {}),
    steps: cp.steps,
    ...(cp.awaitingApproval ? { awaitingApproval: cp.awaitingApproval } : {}),
    ...(error ? { error } : {}),
    ...(cp.finishedAt
      ? {
          result: {
            summary: `runbook ${data.runbook}: ${state} — ${done} of ${cp.steps.length} step(s) succeeded${error ? `; ${error.message}` : ''}`,
            groupsChanged: 0,
            weightChanges: 0,
            stagesApplied: 0,
            outputs: cp.outputs ?? {},
          },
        }
      : {}),
    links: { self: `/v1/operations/${data.id}`, cancel: `/v1/operations/${data.id}/cancel`, approve: `/v1/operations/${data.id}/approve` },
  };
}
