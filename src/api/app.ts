import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import express from 'express';
import { LifeboatError } from '../core/errors';
import type { ApiDeps } from './api-deps';
import { authenticate } from './auth';
import { UnauthenticatedRefusals } from './unauthenticated-refusals';
import { cors, noStore, rateLimitChanges, securityHeaders } from './hardening';
import { auditRouter } from './routes/audit';
import { errorHandler, notFound } from './http-errors';
import { parseJson, requireJson } from './json-body';
import { fleetRouter } from './routes/fleet';
import { healthRouter } from './routes/health';
import { modelsRouter } from './routes/models';
import { operationsRouter } from './routes/operations';
import { plansRouter } from './routes/plans';
import { readinessRouter } from './routes/readiness';
import { runbooksRouter, triggerRouter } from './routes/runbooks';
import { dashboardRouter } from './routes/dashboard';
import { operationEventsRouter } from './routes/operation-events';
import { sessionRouter } from './routes/session';
import { statusRouter } from './routes/status';
import { switchesRouter } from './routes/switches';
// Observability: request log, metrics, queue board, API docs.
import { QUEUE_BOARD_PATH } from './request-kind';
import { requestLog } from './request-log';
import { docsRouter } from './routes/docs';
import { metricsRouter } from './routes/metrics';
import { queueBoardRouter } from './routes/queue-board';

/** The HTTP API, without listen(): tests and entry points decide where it runs. */
export function buildApp(apiDeps: ApiDeps): Express {
  // Requests refused before anyone is identified are counted and sampled, per app (unauthenticated-refusals.ts).
  const deps = { ...apiDeps, refusals: new UnauthenticatedRefusals(apiDeps) };
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    res.setHeader('x-request-id', incoming && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID());
    next();
  });
  app.use(requestLog); // one line per request: method, path, status, duration, request id (never headers)
  app.use(securityHeaders, noStore, cors(deps.settings.LIFEBOAT_CORS_ORIGINS));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Readiness needs no token either: load balancers and orchestrators ask it.
  app.use(healthRouter(deps));
  app.use('/v1', (req, _res, next) => {
    // Fail fast while Redis is away rather than queue requests behind a reconnect.
    if (deps.redis.status !== 'ready') next(new LifeboatError('LB_ERR_DEPENDENCY_DOWN', 'Redis is not reachable; GET /readyz for details', { dependency: 'redis' }));
    else next();
  });
  // Alarm webhooks prove themselves with an HMAC signature instead of a bearer token.
  app.use('/v1/runbooks', triggerRouter(deps));
  // The dashboard (static files, no data) and its browser session (the token in, a cookie out).
  app.use(dashboardRouter());
  app.use('/v1/session', sessionRouter(deps));
  app.use(authenticate(deps.auth, deps), rateLimitChanges(deps.settings.LIFEBOAT_RATE_LIMIT_PER_MINUTE, deps.settings.LIFEBOAT_RATE_LIMIT_BURST));
  // Observability (viewer role; acting on the queue board needs admin): /metrics, /openapi.json, /docs, /admin/queues.
  app.use(metricsRouter(deps));
  app.use(docsRouter());
  app.use(QUEUE_BOARD_PATH, queueBoardRouter(deps));
  app.use('/v1', requireJson, parseJson);
  app.use('/v1/plans', plansRouter(deps));
  app.use('/v1/operations', operationEventsRouter(deps)); // GET /v1/operations/:id/events (server-sent events)
  app.use('/v1/operations', operationsRouter(deps));
  app.use('/v1/fleet', fleetRouter(deps));
  app.use('/v1/models', modelsRouter(deps));
  app.use('/v1/runbooks', runbooksRouter(deps));
  app.use('/v1/readiness', readinessRouter(deps));
  app.use('/v1/audit', auditRouter(deps));
  app.use('/v1/status', statusRouter(deps));
  app.use('/v1/switches', switchesRouter(deps));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
