import type { QueuedOperation } from '../operations/ports/work-queue';
import type { OperationView } from '../operations/operation-views';
import { composeView } from '../operations/operation-views';
import type { RunData } from './run-types';

/** A run as people see it: the same shape as an operation, kind `runbook`. */
export function runViewOf(q: QueuedOperation<RunData>, options: { cancelRequested?: boolean } = {}): OperationView {
  const { data } = q;
  const cp = data.checkpoint;
  const done = cp.steps.filter((s) => s.state === 'succeeded').length;
  return composeView(q, options.cancelRequested, (state, error) => ({
    kind: 'runbook',
    request: { runbook: data.runbook, params: data.params, ...(data.trigger ? { trigger: data.trigger } : {}), ...(data.parentRunId ? { parentRunId: data.parentRunId } : {}) },
    regions: [],
    forced: false,
    afterSteps: cp.awaitingApproval ? { awaitingApproval: cp.awaitingApproval } : {},
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
    approveLink: `/v1/operations/${data.id}/approve`,
  }));
}
