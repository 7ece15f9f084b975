import { LifeboatError } from '../core/errors';
import type { RunbookDeps } from '../runbooks/action-context';
import type { LifeboatDeps } from './lifeboat-deps';
import { FINISHED_STATES } from './operation-types';
import type { OperationView } from './operation-views';
import { auditRequest } from './audit-request';
import { getOperation } from './read-operations';

/**
 * Ask a running or queued operation to stop at its next safe point (between steps, or
 * while it waits). With rollback, the weights go back to the snapshot first and the
 * capacity after.
 */
export async function cancelOperation(
  id: string,
  request: { by: string; rollback?: boolean },
  deps: Pick<LifeboatDeps, 'queue' | 'store' | 'clock' | 'audit'> & Partial<Pick<RunbookDeps, 'runs'>>,
): Promise<OperationView> {
  return auditRequest(deps, { actor: request.by, action: 'operation.cancel', operationId: id, inputs: { rollback: request.rollback ?? false } }, () => cancel(id, request, deps));
}

async function cancel(id: string, request: { by: string; rollback?: boolean }, deps: Parameters<typeof cancelOperation>[2]): Promise<OperationView> {
  const view = await getOperation(id, deps);
  if (FINISHED_STATES.includes(view.state)) {
    throw new LifeboatError('LB_ERR_OPERATION_FINISHED', `operation ${id} has already ${view.state === 'succeeded' ? 'succeeded' : `ended (${view.state})`}`, { operationId: id, state: view.state });
  }
  await deps.store.requestCancel(id, { at: deps.clock.now().toISOString(), by: request.by, rollback: request.rollback ?? false });
  return getOperation(id, deps);
}
