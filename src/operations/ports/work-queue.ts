import type { Progress } from '../operation-types';

/** Where a queued item is: the queue's own states, or unknown. */
export type QueueState = 'active' | 'waiting' | 'wait' | 'delayed' | 'prioritized' | 'completed' | 'failed' | 'paused' | 'repeat' | 'waiting-children' | 'unknown';

/** An operation (or runbook run) as the queue holds it. */
export interface QueuedOperation<D> {
  data: D;
  jobState: QueueState;
  progress?: Progress;
  failedReason?: string;
}

/**
 * A queue of operations (or runbook runs), keyed by their id: what the surfaces submit to and
 * read from; workers elsewhere take the items off it.
 */
export interface WorkQueue<D extends { id: string; kind: string }> {
  /** Queue an item; its id is the item's own (adding the same id twice queues it once). */
  add(data: D): Promise<void>;
  get(id: string): Promise<QueuedOperation<D> | undefined>;
  /** Newest first. */
  list(limit?: number): Promise<Array<QueuedOperation<D>>>;
  /** Workers connected to take items off this queue now. */
  workersCount(): Promise<number>;
}
