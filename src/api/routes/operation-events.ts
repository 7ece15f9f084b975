import type { Request, Response } from 'express';
import { Router } from 'express';
import { z } from 'zod';
import type { Redis } from 'ioredis';
import { LifeboatError } from '../../core/errors';
import type { StoredEvent } from '../../operations/ports/operation-events';
import { FINISHED_STATES } from '../../operations/operation-types';
import { getOperation } from '../../operations/activity';
import { parseOrThrow } from '../../operations/validation';
import type { ApiDeps } from '../api-deps';
import { operationIdSchema } from './operations';

/**
 * GET /v1/operations/:id/events: an operation's events as server-sent events. First what
 * happened so far (or after the Last-Event-ID header / ?after=, to resume), then what
 * happens, live, until operation.finished, which is sent and the stream closed.
 *
 * Each stream reads with XREAD BLOCK on a Redis connection of its own (the shared one must
 * never block), closed when the client goes away or the stream ends.
 */

/** A Redis stream id ("1732400000000-0"), or 0 for "from the start". */
export const eventIdSchema = z.string().regex(/^\d{1,20}(-\d{1,20})?$/, 'an event id from a previous stream, such as 1732400000000-0');
export const eventsQuerySchema = z.object({ after: eventIdSchema.optional() }).strict();

interface EventStreamOptions {
  /** A comment line this often, so proxies and browsers keep an idle stream open. Default 15 s. */
  heartbeatMs?: number;
  /** Longest single XREAD BLOCK; between two, the stream checks whether the operation ended without saying so. Default 5 s. */
  blockMs?: number;
  /** What browsers wait before reconnecting a dropped stream (the SSE retry field). Default 2 s. */
  retryMs?: number;
}

const TERMINAL: StoredEvent['type'] = 'operation.finished';
const CONNECT_TIMEOUT_MS = 5_000;

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
  const router = Router();
  router.get('/:id/events', async (req, res) => {
    const { id, cursor } = streamRequest(req);
    const operation = await getOperation(id, deps); // 404 for an unknown id
    if (req.method === 'HEAD') {
      res.status(200).type('text/event-stream').end();
      return;
    }
    await streamEvents(deps, settings, res, id, FINISHED_STATES.includes(operation.state), cursor);
  });
  return router;
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
 * One stream, from its dedicated connection to its end: the backlog after the cursor, then
 * the events as they come, until operation.finished. A finished operation with nothing after the cursor gets 204
 * instead, which tells an EventSource not to reconnect. An error before the headers is the
 * error handler's to answer; after them, it can only be a comment on the stream.
 */
async function streamEvents(deps: ApiDeps, settings: StreamSettings, res: Response, id: string, finished: boolean, after: string): Promise<void> {
  const stream = openStream(res, deps.redis, `lifeboat-sse:${id}`);
  try {
    await stream.ready(CONNECT_TIMEOUT_MS);
    // An operation that has finished may still be publishing its last event: wait a moment for it.
    const backlog = await deps.events.read(id, after, finished ? 250 : 1, stream.connection);
    if (stream.closed) return;
    if (finished && backlog.length === 0) {
      res.status(204).end();
      return;
    }
    startEventStream(res, stream, settings);
    await relayUntilFinished(deps, id, after, backlog, stream, settings.blockMs);
  } catch (e) {
    // A read that fails because the client left (and took the connection with it) is not an error.
    if (stream.closed) return;
    if (!res.headersSent) throw e;
    stream.sendComment(`error: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    stream.close();
  }
}

/** The headers (no caching, no proxy buffering), the reconnect delay browsers use, and the heartbeat. */
function startEventStream(res: Response, stream: OpenStream, settings: StreamSettings): void {
  res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
  res.flushHeaders();
  res.write(`retry: ${settings.retryMs}\n\n`);
  stream.startHeartbeat(settings.heartbeatMs);
}

/**
 * Sends `batch`, then reads on, until operation.finished has been sent or the client has
 * gone. A read that waits blockMs for nothing checks whether the operation ended without
 * saying so (publishing is best effort), and ends the stream when it has.
 */
async function relayUntilFinished(deps: ApiDeps, id: string, after: string, batch: StoredEvent[], stream: OpenStream, blockMs: number): Promise<void> {
  let cursor = after;
  for (;;) {
    for (const event of batch) {
      if (!stream.send(event)) return;
      cursor = event.id;
      if (event.type === TERMINAL) return;
    }
    if (stream.closed) return;
    batch = await deps.events.read(id, cursor, blockMs, stream.connection);
    if (batch.length === 0 && !stream.closed) {
      const now = await getOperation(id, deps);
      if (FINISHED_STATES.includes(now.state)) {
        batch = await deps.events.read(id, cursor, 250, stream.connection);
        if (batch.length === 0) return;
      }
    }
  }
}

interface OpenStream {
  connection: Redis;
  readonly closed: boolean;
  /** Resolves once the dedicated connection is up; LB_ERR_DEPENDENCY_DOWN after `ms`. */
  ready(ms: number): Promise<void>;
  startHeartbeat(ms: number): void;
  send(event: StoredEvent): boolean;
  sendComment(text: string): void;
  close(): void;
}

/** The dedicated Redis connection, the heartbeat and the response, torn down together once. */
function openStream(res: Response, shared: Redis, connectionName: string): OpenStream {
  const connection = dedicatedConnection(shared, connectionName);
  let closed = false;
  let heartbeat: NodeJS.Timeout | undefined;
  const close = () => {
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = undefined;
    if (!closed) {
      closed = true;
      // disconnect() rather than quit(): a read blocked in XREAD must not hold the connection open.
      connection.disconnect();
    }
    // Before the headers, an error is still the error handler's to answer.
    if (res.headersSent && !res.writableEnded) res.end();
  };
  // The client went away (or the response ended): stop reading, free the connection.
  res.on('close', close);
  const writable = () => !closed && !res.writableEnded && !res.destroyed;
  return {
    connection,
    get closed() {
      return closed;
    },
    ready: (ms) => connectionReady(connection, ms),
    startHeartbeat(ms) {
      heartbeat = setInterval(() => {
        if (writable()) res.write(': heartbeat\n\n');
      }, ms);
      heartbeat.unref();
    },
    send(event) {
      if (!writable()) return false;
      res.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      return true;
    },
    sendComment(text) {
      if (writable()) res.write(`: ${text.replace(/[\r\n]+/g, ' ')}\n\n`);
    },
    close,
  };
}

/** A connection of the stream's own, since XREAD BLOCK must never block the shared one. */
function dedicatedConnection(shared: Redis, connectionName: string): Redis {
  // Named after the operation, so CLIENT LIST tells which stream holds which connection.
  const connection = shared.duplicate({ connectionName, lazyConnect: false, enableOfflineQueue: false });
  // Errors surface on the read that meets them; an unhandled 'error' event would crash the process.
  connection.on('error', () => undefined);
  return connection;
}

/** Resolves once the connection is ready; LB_ERR_DEPENDENCY_DOWN when it ends first or `ms` passes. */
function connectionReady(connection: Redis, ms: number): Promise<void> {
  if (connection.status === 'ready') return Promise.resolve();
  const down = (message: string) => new LifeboatError('LB_ERR_DEPENDENCY_DOWN', message, { dependency: 'redis' });
  return new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      connection.off('ready', onReady);
      connection.off('end', onEnd);
    };
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onEnd = () => {
      cleanup();
      reject(down('the event stream lost its Redis connection'));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(down(`Redis did not accept a connection for the event stream in ${ms} ms`));
    }, ms);
    connection.on('ready', onReady);
    connection.on('end', onEnd);
  });
}
