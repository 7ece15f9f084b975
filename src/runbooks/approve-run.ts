import { LifeboatError } from '../core/errors';
import type { OperationView } from '../operations/operation-views';
import type { RunbookDeps } from './action-context';
import { auditRequest } from '../operations/audit-request';
import { runViewOf } from './run-view';

interface ApprovalRequest {
  by: string;
  decision?: 'approve' | 'reject';
  comment?: string;
  /**
   * Refuse an approval by the identity that started the run (two-person rule); by default
   * LIFEBOAT_TWO_PERSON_RULE decides, so no caller (API, REPL, CLI) can skip it by omission.
   */
  twoPersonRule?: boolean;
}

/** Approve (or reject) the approve step a run is paused at; the first decision wins. */
export async function approveRun(id: string, request: ApprovalRequest, deps: Pick<RunbookDeps, 'runs' | 'runbookStore' | 'clock' | 'queue' | 'audit' | 'settings'>): Promise<OperationView> {
  return auditRequest(
    deps,
    { actor: request.by, action: `run.${request.decision ?? 'approve'}`, operationId: id, inputs: { comment: request.comment } },
    () => decide(id, request, deps),
  );
}

async function decide(id: string, request: ApprovalRequest, deps: Parameters<typeof approveRun>[2]): Promise<OperationView> {
  const found = await deps.runs.get(id);
  if (!found) {
    if (await deps.queue.get(id)) throw new LifeboatError('LB_ERR_APPROVAL_NOT_PENDING', `operation ${id} is not a runbook run; only runs have approve steps`, { operationId: id });
    throw new LifeboatError('LB_ERR_NOT_FOUND', `no operation ${id}`, { operationId: id });
  }
  const waiting = found.data.checkpoint.awaitingApproval;
  if (!waiting) throw new LifeboatError('LB_ERR_APPROVAL_NOT_PENDING', `run ${id} is not waiting for an approval (state ${found.data.checkpoint.state})`, { operationId: id });
  if ((request.twoPersonRule ?? deps.settings.LIFEBOAT_TWO_PERSON_RULE) && request.by === found.data.actor) {
    throw new LifeboatError('LB_ERR_APPROVAL_SAME_ACTOR', `${request.by} started run ${id} and cannot also approve it (two-person rule)`, { operationId: id, actor: request.by });
  }
  const decided = await deps.runbookStore.decide(id, waiting.stepId, {
    decision: request.decision ?? 'approve',
    by: request.by,
    at: deps.clock.now().toISOString(),
    ...(request.comment ? { comment: request.comment } : {}),
  });
  if (!decided) throw new LifeboatError('LB_ERR_APPROVAL_NOT_PENDING', `step ${waiting.stepId} of run ${id} has already been decided`, { operationId: id, step: waiting.stepId });
  // The decision is kept beside the run, not in it: the run read above is still current.
  return runViewOf(found);
}
