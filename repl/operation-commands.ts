import type { OperationFilter } from '../src/operations/activity';
import { getOperation, listOperations } from '../src/operations/activity';
import type { OperationState } from '../src/operations/operation-types';
import type { OperationView } from '../src/operations/operation-views';
import { approveRun } from '../src/runbooks/approve-run';
import { operationDetailLines, operationSummary, operationsTable } from '../src/text/operation-text';
import type { WaitOptions } from './operation-handle';
import { operationHandle, shownView } from './operation-handle';
import type { ReplSession } from './repl-session';
import { replApproveCommand } from './repl-session';
import { summarized } from './summaries';

/** The commands on operations and runs by id, whoever started them (the API, a runbook, this REPL). */
export interface OperationCommands {
  ops(filter?: OperationFilter | OperationState): Promise<OperationView[]>;
  op(id: string): Promise<OperationView>;
  /** Watch an operation started elsewhere until it ends, as wait() does. */
  watch(id: string, options?: WaitOptions): Promise<OperationView>;
  /** Cancel any operation by id (the API's POST /v1/operations/:id/cancel). */
  cancel(id: string, options?: { rollback?: boolean }): Promise<OperationView>;
  /** Approve (or reject) the approve step a runbook run is paused at, as this REPL's user. */
  approve(id: string, options?: { comment?: string; reject?: boolean }): Promise<OperationView>;
}

export function operationCommands(session: ReplSession): OperationCommands {
  const { deps, actor, out } = session;
  return {
    async ops(filter = {}) {
      const views = await listOperations(typeof filter === 'string' ? { state: [filter] } : filter, deps);
      out(views.length === 0 ? 'no operations' : operationsTable(views, Date.now()));
      return summarized(views, () => `[${views.length} operation(s), listed above]`);
    },

    async op(id) {
      const view = await getOperation(id, deps);
      out([operationSummary(view), ...operationDetailLines(view, Date.now(), replApproveCommand)].join('\n'));
      return shownView(view);
    },

    async watch(id, options) {
      return operationHandle(await getOperation(id, deps), session).wait(options);
    },

    async cancel(id, options) {
      return operationHandle(await getOperation(id, deps), session).cancel(options);
    },

    async approve(id, options = {}) {
      const view = await approveRun(id, { by: actor, decision: options.reject ? 'reject' : 'approve', ...(options.comment ? { comment: options.comment } : {}) }, deps);
      out(`${options.reject ? 'rejected' : 'approved'} ${id} as ${actor}; it goes on from its approve step`);
      return shownView(view);
    },
  };
}
