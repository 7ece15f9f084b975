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
}
