import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { RequestHandler } from 'express';
import { Router } from 'express';
import { LifeboatError } from '../../core/errors';
import { withoutSecrets } from '../../operations/redact';
import type { Identity } from '../../operations/tokens';
import type { ApiDeps } from '../api-deps';
import { queueBoardSecurityHeaders } from '../hardening';
import { QUEUE_BOARD_PATH } from '../request-kind';

/**
 * A queue as the board shows it: job data, return values and job schedulers' templates with
 * secrets redacted (a runbook's webhook URL keeps only its host), as every view of an
 * operation does (operation-views.ts).
 */
class RedactingAdapter extends BullMQAdapter {
  override async getJobSchedulers() {
    const schedulers = await super.getJobSchedulers();
    return schedulers.map((s) => ({ ...s, ...(s.template ? { template: withoutSecrets(s.template) } : {}) }));
  }
}

function redactedAdapter(queue: Queue, readOnlyMode: boolean): BullMQAdapter {
  const adapter = new RedactingAdapter(queue, { readOnlyMode, allowRetries: !readOnlyMode });
  adapter.setFormatter('data', (data) => withoutSecrets(data));
  adapter.setFormatter('returnValue', (value) => withoutSecrets(value));
  return adapter;
}

/**
 * Bull Board at /admin/queues over the operations, runbooks and maintenance queues, with
 * its own files (nothing from the internet). Behind authentication like the rest: viewers
 * get a read-only board; admin gets one that can retry, remove, pause and clean. Any change
 * needs admin twice over: roleFor() asks admin for every non-GET under /admin/queues, and
 * the read-only board refuses what reaches it anyway.
 */
export function queueBoardRouter(deps: Pick<ApiDeps, 'queues'>): Router {
  let boards: { readOnly: RequestHandler; admin: RequestHandler } | undefined;
  const board = (readOnlyMode: boolean): RequestHandler => {
    const adapter = new ExpressAdapter();
    adapter.setBasePath(QUEUE_BOARD_PATH);
    createBullBoard({
      queues: deps.queues.all().map((queue) => redactedAdapter(queue, readOnlyMode)),
      serverAdapter: adapter,
      // The read-only board has no Redis details button: those are admin's (a viewer's board would fail to show them).
      options: { uiConfig: { boardTitle: readOnlyMode ? 'lifeboat queues (read-only)' : 'lifeboat queues', hideRedisDetails: readOnlyMode } },
    });
    const app = adapter.getRouter() as RequestHandler & { disable(setting: string): unknown };
    app.disable('x-powered-by');
    return app;
  };

  const dispatch: RequestHandler = (req, res, next) => {
    // Made on first use: an API that nobody opens the board on opens no maintenance queue.
    boards ??= { readOnly: board(true), admin: board(false) };
    const identity = res.locals.identity as Identity | undefined;
    const isAdmin = identity?.roles.includes('admin') === true;
    if (!isAdmin && req.method !== 'GET' && req.method !== 'HEAD') {
      next(new LifeboatError('LB_ERR_FORBIDDEN', 'only admin may change queues through the board', { needed: 'admin', roles: identity?.roles ?? [] }));
      return;
    }
    // The board is an Express app of its own: give the request back to ours as it came (as app.use would).
    const requestProto = Object.getPrototypeOf(req) as object;
    const responseProto = Object.getPrototypeOf(res) as object;
    (isAdmin ? boards.admin : boards.readOnly)(req, res, (err?: unknown) => {
      Object.setPrototypeOf(req, requestProto);
      Object.setPrototypeOf(res, responseProto);
      next(err);
    });
  };

  const adminOnly: RequestHandler = (_req, res, next) => {
    const identity = res.locals.identity as Identity | undefined;
    if (identity?.roles.includes('admin')) next();
    else next(new LifeboatError('LB_ERR_FORBIDDEN', "only admin may read the Redis server's details", { needed: 'admin', roles: identity?.roles ?? [] }));
  };

  const router = Router();
  router.use(queueBoardSecurityHeaders);
  router.get('/', dispatch); // the board
  // The Redis server's and its host's details: admin only (the route catalog says so, and authentication asks it).
  router.get('/api/redis/stats', adminOnly, dispatch);
  router.use(dispatch); // its files, its pages' deep links and its JSON API
  return router;
}
