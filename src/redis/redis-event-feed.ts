import type { Redis } from 'ioredis';
import type { EventFeed, OperationEvent, StoredEvent } from '../operations/ports/operation-events';
import { compareEventIds } from '../operations/ports/operation-events';

/**
 * Every live event stream of this process, on one Redis connection: one XREAD BLOCK over the
 * stream of every operation someone follows, each from the earliest event a follower still
 * needs; what comes back is handed to each follower after its own cursor. However many
 * streams are open (the API's server-sent events), this process holds one blocking
 * connection for them, never one per stream.
 *
 * A follower that joins while the XREAD is blocked would wait for it to time out: the read
 * is interrupted instead (CLIENT UNBLOCK, sent on the shared connection, which never
 * blocks) so the next one includes the new stream at once.
 */

interface Follower {
  key: string;
  cursor: string;
  deliver: (events: StoredEvent[]) => void;
}

interface FeedOptions {
  /** The process's shared connection: the reader is its duplicate; it sends CLIENT UNBLOCK. */
  shared: Redis;
  /** The Redis key of an operation's events (RedisOperationEvents.keyOf). */
  keyOf: (operationId: string) => string;
  /** Names the reader's connection (CLIENT LIST), with the key prefix so each lifeboat's is told apart. */
  connectionName: string;
  /** The longest XREAD BLOCK. */
  blockMs?: number;
}

const COUNT = 500;
const RETRY_AFTER_ERROR_MS = 500;
const UNBLOCK_RETRY_MS = 20;

export class RedisEventFeed implements EventFeed {
  private readonly followers = new Set<Follower>();
  private reader: Redis | undefined;
  private readerId: number | undefined;
  private looping = false;
  private closed = false;
  /** Bumped by every follow; the loop notes which generation its XREAD was built from. */
  private generation = 0;
  private readGeneration = -1;
  private blocked = false;

  constructor(private readonly options: FeedOptions) {}

  follow(operationId: string, afterId: string, deliver: (events: StoredEvent[]) => void): () => void {
    const follower: Follower = { key: this.options.keyOf(operationId), cursor: afterId, deliver };
    this.followers.add(follower);
    this.generation++;
    if (!this.looping) void this.loop();
    else this.interrupt();
    return () => {
      this.followers.delete(follower);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.followers.clear();
    // disconnect() rather than quit(): a read blocked in XREAD must not hold the connection open.
    this.reader?.disconnect();
  }

  /** The blocking connection, made on first use. Its client id (for CLIENT UNBLOCK) is forgotten when it drops: ids change with the connection. */
  private connection(): Redis {
    if (!this.reader) {
      const reader = this.options.shared.duplicate({ connectionName: this.options.connectionName, lazyConnect: false });
      // Errors surface on the read that meets them; an unhandled 'error' event would crash the process.
      reader.on('error', () => undefined);
      reader.on('close', () => (this.readerId = undefined));
      this.reader = reader;
    }
    return this.reader;
  }

  private async loop(): Promise<void> {
    this.looping = true;
    const reader = this.connection();
    try {
      while (this.followers.size > 0 && !this.closed) {
        const from = this.cursorsByKey();
        this.readGeneration = this.generation;
        this.blocked = true;
        let answer: Array<[string, Array<[string, string[]]>]> | null;
        try {
          // Asked before the XREAD, on the same connection: answered at once, not after the read.
          this.readerId ??= Number(await reader.client('ID'));
          answer = (await reader.xread('COUNT', COUNT, 'BLOCK', this.options.blockMs ?? 5000, 'STREAMS', ...from.keys(), ...from.values())) as typeof answer;
        } catch {
          if (this.closed) break;
          await new Promise((r) => setTimeout(r, RETRY_AFTER_ERROR_MS).unref());
          continue;
        } finally {
          this.blocked = false;
        }
        if (answer) this.dispatch(answer);
      }
    } finally {
      this.looping = false;
    }
    // A follower that came as the loop was ending must not be left without a reader.
    if (this.followers.size > 0 && !this.closed) void this.loop();
  }

  /** For each stream followed, the earliest cursor among its followers. */
  private cursorsByKey(): Map<string, string> {
    const from = new Map<string, string>();
    for (const f of this.followers) {
      const current = from.get(f.key);
      if (current === undefined || compareEventIds(f.cursor, current) < 0) from.set(f.key, f.cursor);
    }
    return from;
  }

  private dispatch(answer: Array<[string, Array<[string, string[]]>]>): void {
    for (const [key, entries] of answer) {
      const events: StoredEvent[] = entries.map(([id, fields]) => ({ id, ...(JSON.parse(fields[1]!) as OperationEvent) }));
      for (const f of [...this.followers]) {
        if (f.key !== key) continue;
        const fresh = events.filter((e) => compareEventIds(e.id, f.cursor) > 0);
        if (fresh.length === 0) continue;
        f.cursor = fresh[fresh.length - 1]!.id;
        f.deliver(fresh);
      }
    }
  }

  /**
   * Make the blocked XREAD return now, so the next one follows the streams added since. An
   * UNBLOCK can arrive before the XREAD blocks: try again shortly until the loop has read
   * with the current followers.
   */
  private interrupt(): void {
    const retry = () => {
      if (this.closed || this.readGeneration === this.generation || !this.looping) return;
      const id = this.readerId;
      const unblock = this.blocked && id !== undefined ? this.options.shared.client('UNBLOCK', id).catch(() => 0) : Promise.resolve(0);
      void unblock.then(() => {
        if (this.readGeneration !== this.generation) setTimeout(retry, UNBLOCK_RETRY_MS).unref();
      });
    };
    retry();
  }
}
