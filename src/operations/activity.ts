import { LifeboatError } from '../core/errors';
import type { OperationDeps } from './deps';
import { auditRequest } from './audit-request';
import type { CancelRequest, OperationData, OperationState } from './operation-types';
import { FINISHED_STATES } from './operation-types';
import type { OperationView } from './operation-views';
import { viewOf } from './operation-views';
import type { WorkQueue } from './ports/work-queue';

/**
 * Activity by id: operations and runbook runs share one id space, one view and one cancel.
 * Each kind of activity is a source; the composition root hands every source to the use
 * cases below, so operations never reach into runbooks (which add their own source).
 */
export interface ActivitySource {
  /** The item with this id as people see it, or undefined when this source has none. */
  get(id: string, options: { cancelRequested: boolean }): Promise<OperationView | undefined>;
  /** Up to `limit` items, newest first; plans are left out. */
  list(limit: number): Promise<OperationView[]>;
}

interface ActivityDeps {
  activities: readonly ActivitySource[];
  store: Pick<OperationDeps['store'], 'cancelRequest' | 'requestCancel'>;
}

/** Operations as an activity source. */
export function operationActivity(queue: WorkQueue<OperationData>): ActivitySource {
  return {
    get: async (id, { cancelRequested }) => {
      const found = await queue.get(id);
      return found ? viewOf(found, { cancelRequested }) : undefined;
    },
    list: async (limit) => (await queue.list(limit)).map((q) => viewOf(q, { withPlan: false })),
  };
}

/** Reads the caller has made already, so that they are not made twice. */
interface KnownReads {
  cancelRequest: CancelRequest | undefined;
}

/** An operation or a runbook run, by id. */
export async function getOperation(id: string, deps: ActivityDeps, known?: KnownReads): Promise<OperationView> {
  const cancel = known ? known.cancelRequest : await deps.store.cancelRequest(id);
  for (const source of deps.activities) {
    const view = await source.get(id, { cancelRequested: !!cancel });
    if (view) return view;
  }
  throw new LifeboatError('LB_ERR_NOT_FOUND', `no operation ${id}`, { operationId: id });
}

export interface OperationFilter {
  state?: OperationState[];
  kind?: string[];
  limit?: number;
}

/** Newest first, operations and runs together; plans are left out of lists (GET one operation for its plan). */
export async function listOperations(filter: OperationFilter, deps: Pick<ActivityDeps, 'activities'>): Promise<OperationView[]> {
  const limit = filter.limit ?? 50;
  const fetch = Math.max(limit * 4, 200);
  const lists = await Promise.all(deps.activities.map((source) => source.list(fetch)));
  return lists
    .flat()
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .filter((v) => !filter.state?.length || filter.state.includes(v.state))
    .filter((v) => !filter.kind?.length || filter.kind.includes(v.kind))
    .slice(0, limit);
}

/**
 * Ask a running or queued operation (or run) to stop at its next safe point (between steps,
 * or while it waits). With rollback, the weights go back to the snapshot first and the
 * capacity after.
 */
export async function cancelOperation(
  id: string,
  request: { by: string; rollback?: boolean },
  deps: ActivityDeps & Pick<OperationDeps, 'clock' | 'audit'>,
): Promise<OperationView> {
  return auditRequest(deps, { actor: request.by, action: 'operation.cancel', operationId: id, inputs: { rollback: request.rollback ?? false } }, async () => {
    const view = await getOperation(id, deps);
    if (FINISHED_STATES.includes(view.state)) {
      throw new LifeboatError('LB_ERR_OPERATION_FINISHED', `operation ${id} has already ${view.state === 'succeeded' ? 'succeeded' : `ended (${view.state})`}`, { operationId: id, state: view.state });
    }
    await deps.store.requestCancel(id, { at: deps.clock.now().toISOString(), by: request.by, rollback: request.rollback ?? false });
    return getOperation(id, deps);
  });
}
