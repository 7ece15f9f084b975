import type { EventEmitter } from 'node:events';

export type OperationEventType =
  | 'operation.started'
  | 'step.started'
  | 'step.finished'
  | 'capacity.progress'
  | 'weights.applied'
  | 'operation.finished'
  | 'operation.error';

export interface OperationEvent {
  type: OperationEventType;
  operationId: string;
  kind: string;
  at: string;
  data: Record<string, unknown>;
}

export interface StoredEvent extends OperationEvent {
  /** The Redis stream id: what a client sends back as Last-Event-ID to resume. */
  id: string;
}

/**
 * What happens in an operation (or a runbook run), as it happens: published by the runner,
 * read back by any process (resumable by event id) and, in this process, by its metrics.
 */
export interface OperationEvents {
  /** This process's events as they are published, without a round trip (for metrics). */
  readonly local: EventEmitter;
  publish(event: OperationEvent): Promise<void>;
  /** Events after `afterId` (all with '0'); waits up to `blockMs` for new ones when there are none. */
  read(operationId: string, afterId: string, blockMs: number): Promise<StoredEvent[]>;
  /** Events after `afterId` (all with '0') there are now, at most `count`; never waits. */
  after(operationId: string, afterId: string, count?: number): Promise<StoredEvent[]>;
}

/**
 * Live events of any number of operations, followed together: one reader per process
 * however many streams are open (src/redis/redis-event-feed.ts: one blocking Redis
 * connection, one XREAD over every stream followed).
 */
export interface EventFeed {
  /** Calls `deliver` with the events after `afterId`, in order, as they are published, until the returned function is called. */
  follow(operationId: string, afterId: string, deliver: (events: StoredEvent[]) => void): () => void;
  close(): Promise<void>;
}

/** Stream ids ("1732400000000-3") in their order: negative when `a` comes first. */
export function compareEventIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}
