import type { Request, Response } from 'express';
import { Router } from 'express';
import { z } from 'zod';
import { LifeboatError } from '../../core/errors';
import type { StoredEvent } from '../../operations/ports/operation-events';
import { FINISHED_STATES } from '../../operations/operation-types';
import { getOperation } from '../../operations/activity';
import { withoutSecrets } from '../../operations/redact';
import type { Identity } from '../../operations/tokens';
import { parseOrThrow } from '../../operations/validation';
import type { ApiDeps } from '../api-deps';
import { operationIdSchema } from './operations';

/**
 * GET /v1/operations/:id/events: an operation's events as server-sent events. First what
 * happened so far (or after the Last-Event-ID header / ?after=, to resume), then what
 * happens, live, until operation.finished, which is sent and the stream closed.
 *
 * What happened so far is read with XRANGE on the shared connection (it never blocks); what
 * happens next comes from the process's one event feed (deps.feed: one blocking Redis
 * connection for every stream this process serves), so streams cost no Redis connection
 * each. A token may hold LIFEBOAT_SSE_STREAMS_PER_TOKEN streams at once in this process.
 */

/** A Redis stream id ("1732400000000-0"), or 0 for "from the start". */
export const eventIdSchema = z.string().regex(/^\d{1,20}(-\d{1,20})?$/, 'an event id from a previous stream, such as 1732400000000-0');
export const eventsQuerySchema = z.object({ after: eventIdSchema.optional() }).strict();

interface EventStreamOptions {
  /** A comment line this often, so proxies and browsers keep an idle stream open. Default 15 s. */
  heartbeatMs?: number;
  /** After this long without an event, the stream checks whether the operation ended without saying so. Default 5 s. */
  blockMs?: number;
  /** What browsers wait before reconnecting a dropped stream (the SSE retry field). Default 2 s. */
  retryMs?: number;
}

const TERMINAL: StoredEvent['type'] = 'operation.finished';
/** An operation that has finished may still be publishing its last event: how long to wait for it. */
const LAST_EVENT_GRACE_MS = 250;

interface StreamSettings {
  heartbeatMs: number;
  blockMs: number;
  retryMs: number;
}

export function operationEventsRouter(deps: ApiDeps, options: EventStreamOptions = {}): Router {
  const settings: StreamSettings = {
    heartbeatMs: options.heartbeatMs ?? 15_000,
    blockMs: options.blockMs ?? 5_000,
    retryMs: options.retryMs ?? 2_000,
  };
  const open = new StreamCounts(deps.settings.LIFEBOAT_SSE_STREAMS_PER_TOKEN);
  const router = Router();
  router.get('/:id/events', async (req, res) => {
    const { id, cursor } = streamRequest(req);
    const operation = await getOperation(id, deps); // 404 for an unknown id
    if (req.method === 'HEAD') {
      res.status(200).type('text/event-stream').end();
      return;
    }
    const release = open.take((res.locals.identity as Identity | undefined)?.name ?? 'anonymous');
    try {
      await streamEvents(deps, settings, res, id, FINISHED_STATES.includes(operation.state), cursor);
    } finally {
      release();
    }
  });
  return router;
}

/** How many streams each token has open in this process, and the most it may. */
class StreamCounts {
  private readonly counts = new Map<string, number>();

  constructor(private readonly perToken: number) {}

  /** Count one more stream for `who`, or LB_ERR_RATE_LIMITED at the cap; the function returned gives it back. */
  take(who: string): () => void {
    const key = who.toLowerCase();
    const n = this.counts.get(key) ?? 0;
    if (n >= this.perToken) {
      throw new LifeboatError('LB_ERR_RATE_LIMITED', `${who} has ${n} event streams open here, the most a token may (LIFEBOAT_SSE_STREAMS_PER_TOKEN); close one first`, { open: n, limit: this.perToken });
    }
    this.counts.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
    };
  }
}

/** The operation asked for, and the event to resume after ('0': from the start). */
function streamRequest(req: Request): { id: string; cursor: string } {
  const id = parseOrThrow(operationIdSchema, req.params.id);
  const query = parseOrThrow(eventsQuerySchema, req.query);
  const lastEventId = req.get('last-event-id');
  // The header is what a browser sends when it reconnects by itself: it wins over the query.
  const cursor = lastEventId ? parseOrThrow(eventIdSchema, lastEventId) : (query.after ?? '0');
  return { id, cursor };
}

/**
 * One stream, to its end: the backlog after the cursor, then the events as they come, until
 * operation.finished or the client leaves. A finished operation with nothing after the
 * cursor gets 204 instead, which tells an EventSource not to reconnect. An error before the
 * headers is the error handler's to answer; after them, it can only be a comment.
 */
async function streamEvents(deps: ApiDeps, settings: StreamSettings, res: Response, id: string, finished: boolean, after: string): Promise<void> {
  let backlog = await deps.events.after(id, after);
  if (finished && backlog.length === 0) {
    backlog = await nextEvents(deps, id, after, LAST_EVENT_GRACE_MS);
    if (backlog.length === 0) {
      res.status(204).end();
      return;
    }
  }
  const stream = startEventStream(res, settings);
  await new Promise<void>((done) => {
    let cursor = after;
    let quiet = true;
    const end = () => {
      clearInterval(check);
      unfollow();
      stream.close();
      done();
    };
    const send = (events: StoredEvent[]) => {
      quiet = false;
      for (const event of events) {
        if (!stream.send(event)) return end();
        cursor = event.id;
        if (event.type === TERMINAL) return end();
      }
    };
    const unfollow = deps.feed.follow(id, backlog.at(-1)?.id ?? after, send);
    // Publishing is best effort: a stream quiet for blockMs checks whether its operation ended without saying so.
    const check = setInterval(() => {
      if (!quiet) {
        quiet = true;
        return;
      }
      void endedQuietly(deps, id, cursor).then(
        (rest) => {
          if (rest === undefined) return;
          send(rest);
          end();
        },
        (e: unknown) => stream.sendComment(`error: ${e instanceof Error ? e.message : String(e)}`),
      );
    }, settings.blockMs);
    res.on('close', end);
    send(backlog);
    if (backlog.length === 0) quiet = true;
  });
}

/** The events after `cursor` when the operation has finished (its last ones, if any), or undefined while it runs. */
async function endedQuietly(deps: ApiDeps, id: string, cursor: string): Promise<StoredEvent[] | undefined> {
  const now = await getOperation(id, deps);
  if (!FINISHED_STATES.includes(now.state)) return undefined;
  return deps.events.after(id, cursor);
}

/** The events after `after` that arrive within `ms` (through the feed). */
function nextEvents(deps: ApiDeps, id: string, after: string, ms: number): Promise<StoredEvent[]> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      unfollow();
      resolve([]);
    }, ms);
    const unfollow = deps.feed.follow(id, after, (events) => {
      clearTimeout(timer);
      unfollow();
      resolve(events);
    });
  });
}

interface OpenStream {
  send(event: StoredEvent): boolean;
  sendComment(text: string): void;
  close(): void;
}

/** The headers (no caching, no proxy buffering), the reconnect delay browsers use, and the heartbeat, torn down with close(). */
function startEventStream(res: Response, settings: StreamSettings): OpenStream {
  res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
  res.flushHeaders();
  res.write(`retry: ${settings.retryMs}\n\n`);
  const writable = () => !res.writableEnded && !res.destroyed;
  const heartbeat = setInterval(() => {
    if (writable()) res.write(': heartbeat\n\n');
  }, settings.heartbeatMs);
  heartbeat.unref();
  return {
    send(event) {
      if (!writable()) return false;
      // What a viewer reads: secrets (a webhook URL in a runbook's outputs) redacted, as in the operation's view.
      res.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(withoutSecrets(event))}\n\n`);
      return true;
    },
    sendComment(text) {
      if (writable()) res.write(`: ${text.replace(/[\r\n]+/g, ' ')}\n\n`);
    },
    close() {
      clearInterval(heartbeat);
      if (!res.writableEnded) res.end();
    },
  };
}
