import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { OperationEvent, OperationEvents, StoredEvent } from '../operations/ports/operation-events';

const KEEP_EVENTS = 5000;
const KEEP_SECONDS = 7 * 86400;

/**
 * What happens in an operation, as it happens: a Redis stream per operation (so any API
 * process can stream it to a browser, resumable by event id), and an in-process emitter
 * (so this process's metrics see it without a round trip).
 */
export class RedisOperationEvents implements OperationEvents {
  readonly local = new EventEmitter();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.local.setMaxListeners(100);
  }

  private key(operationId: string) {
    return `${this.prefix}:events:${operationId}`;
  }

  async publish(event: OperationEvent): Promise<void> {
    this.local.emit('event', event);
    const key = this.key(event.operationId);
    await this.redis.multi().xadd(key, 'MAXLEN', '~', String(KEEP_EVENTS), '*', 'e', JSON.stringify(event)).expire(key, KEEP_SECONDS).exec();
  }

  /** Events after `afterId` there are now (XRANGE with an exclusive start: it never blocks the shared connection). */
  async after(operationId: string, afterId: string, count = 500): Promise<StoredEvent[]> {
    const entries = await this.redis.xrange(this.key(operationId), afterId === '0' ? '-' : `(${afterId}`, '+', 'COUNT', count);
    return entries.map(([id, fields]) => ({ id, ...(JSON.parse(fields[1]!) as OperationEvent) }));
  }

  /** The Redis key of an operation's events (the event feed reads it). */
  keyOf(operationId: string): string {
    return this.key(operationId);
  }

  /** Events after `afterId` (all with '0'); waits up to `blockMs` for new ones when there are none. */
  async read(operationId: string, afterId: string, blockMs: number, connection: Redis = this.redis): Promise<StoredEvent[]> {
    const answer = (await connection.xread('COUNT', 500, 'BLOCK', Math.max(1, blockMs), 'STREAMS', this.key(operationId), afterId)) as Array<[string, Array<[string, string[]]>]> | null;
    if (!answer) return [];
    return answer[0]![1].map(([id, fields]) => ({ id, ...(JSON.parse(fields[1]!) as OperationEvent) }));
  }
}
