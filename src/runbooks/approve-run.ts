import { LifeboatError } from '../core/errors';
import type { OperationView } from '../operations/operation-views';
import type { RunbookDeps } from './action-context';
import { auditRequest } from '../operations/audit-request';
import { runViewOf } from './run-view';
import type { RunData } from './run-types';
import { personOf } from '../operations/tokens';

interface ApprovalRequest {
  by: string;
  decision?: 'approve' | 'reject';
  comment?: string;
  /**
   * Refuse an approval by the person who started the run (two-person rule); by default
   * LIFEBOAT_TWO_PERSON_RULE decides, so no caller (API, REPL, CLI) can skip it by omission.
   */
  twoPersonRule?: boolean;
}

/** How far up a chain of parent runs the two-person rule looks for who started it. */
const MAX_PARENTS = 10;

/**
 * Who started a run: its actor, and up its parent runs, theirs. A child run is started by
 * its parent (runbook:<name>); the person who started the parent started the child too.
 */
async function startersOf(run: RunData, deps: Pick<RunbookDeps, 'runs'>): Promise<string[]> {
  const actors = [run.actor];
  let parentId = run.parentRunId;
  for (let depth = 0; parentId && depth < MAX_PARENTS; depth++) {
    const parent = await deps.runs.get(parentId);
    if (!parent) break;
    actors.push(parent.data.actor);
    parentId = parent.data.parentRunId;
  }
  return actors;
}

/**
 * Approve (or reject) the approve step a run is paused at; the first decision wins. Under
 * the two-person rule, nobody who started the run (or a run above it) may approve it,
 * compared as people, not as actor strings: api:oscar and repl:Oscar are one person (personOf).
 */
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
  if (request.twoPersonRule ?? deps.settings.LIFEBOAT_TWO_PERSON_RULE) {
    const starter = (await startersOf(found.data, deps)).find((actor) => personOf(actor) === personOf(request.by));
    if (starter !== undefined) {
      const how = starter === found.data.actor ? `started run ${id}` : `started run ${id} (as ${starter}, through its parent runs)`;
      throw new LifeboatError('LB_ERR_APPROVAL_SAME_ACTOR', `${request.by} ${how} and cannot also approve it (two-person rule)`, { operationId: id, actor: request.by, startedBy: starter });
    }
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
