import type { OperationQueue } from '../jobs/operation-queue';
import type { OperationDeps } from './deps';

/** What the surfaces' use cases need: the operation deps plus the queue they submit to. */
export interface LifeboatDeps extends OperationDeps {
  queue: OperationQueue;
}
