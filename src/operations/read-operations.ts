import { LifeboatError } from '../core/errors';
import type { LifeboatDeps } from './lifeboat-deps';
import type { OperationState } from './operation-types';
import type { OperationView } from './operation-views';
import { viewOf } from './operation-views';

export async function getOperation(id: string, deps: Pick<LifeboatDeps, 'queue' | 'store'>): Promise<OperationView> {
  const found = await deps.queue.get(id);
  if (!found) throw new LifeboatError('LB_ERR_NOT_FOUND', `no operation ${id}`, { operationId: id });
  return viewOf(found, { cancelRequested: !!(await deps.store.cancelRequest(id)) });
}

export interface OperationFilter {
  state?: OperationState[];
  kind?: string[];
  limit?: number;
}

/** Newest first; plans are left out of lists (GET one operation for its plan). */
export async function listOperations(filter: OperationFilter, deps: Pick<LifeboatDeps, 'queue'>): Promise<OperationView[]> {
  const limit = filter.limit ?? 50;
  const all = await deps.queue.list(Math.max(limit * 4, 200));
  return all
    .map((q) => viewOf(q, { withPlan: false }))
    .filter((v) => !filter.state?.length || filter.state.includes(v.state))
    .filter((v) => !filter.kind?.length || filter.kind.includes(v.kind))
    .slice(0, limit);
}
