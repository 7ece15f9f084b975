import { LifeboatError } from '../core/errors';
import type { OperationQueue } from '../jobs/operation-queue';
import type { RunData } from '../runbooks/run-types';
import { runViewOf } from '../runbooks/run-view';
import type { LifeboatDeps } from './lifeboat-deps';
import type { CancelRequest, OperationState } from './operation-types';
import type { OperationView } from './operation-views';
import { viewOf } from './operation-views';

type Queues = Pick<LifeboatDeps, 'queue' | 'store'> & { runs?: OperationQueue<RunData> };

/** Reads the caller has made already, so that they are not made twice. */
interface KnownReads {
  cancelRequest: CancelRequest | undefined;
}

/** An operation or a runbook run, by id. */
export async function getOperation(id: string, deps: Queues, known?: KnownReads): Promise<OperationView> {
  const [found, cancel] = await Promise.all([deps.queue.get(id), known ? known.cancelRequest : deps.store.cancelRequest(id)]);
  const cancelRequested = !!cancel;
  if (found) return viewOf(found, { cancelRequested });
  const run = await deps.runs?.get(id);
  if (run) return runViewOf(run, { cancelRequested });
  throw new LifeboatError('LB_ERR_NOT_FOUND', `no operation ${id}`, { operationId: id });
}

export interface OperationFilter {
  state?: OperationState[];
  kind?: string[];
  limit?: number;
}

/** Newest first; plans are left out of lists (GET one operation for its plan). */
export async function listOperations(filter: OperationFilter, deps: Pick<Queues, 'queue' | 'runs'>): Promise<OperationView[]> {
  const limit = filter.limit ?? 50;
  const fetch = Math.max(limit * 4, 200);
  const [ops, runs] = await Promise.all([deps.queue.list(fetch), deps.runs ? deps.runs.list(fetch) : Promise.resolve([])]);
  return [...ops.map((q) => viewOf(q, { withPlan: false })), ...runs.map((q) => runViewOf(q))]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .filter((v) => !filter.state?.length || filter.state.includes(v.state))
    .filter((v) => !filter.kind?.length || filter.kind.includes(v.kind))
    .slice(0, limit);
}
