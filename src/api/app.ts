import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import express from 'express';
import { LifeboatError } from '../core/errors';
import type { ApiDeps } from './api-deps';
import { errorHandler, notFound } from './http-errors';
import { parseJson, requireJson } from './json-body';
import { fleetRouter } from './routes/fleet';
import { healthRouter } from './routes/health';
import { modelsRouter } from './routes/models';
import { operationsRouter } from './routes/operations';
import { plansRouter } from './routes/plans';
import { readinessRouter } from './routes/readiness';
import { runbooksRouter, triggerRouter } from './routes/runbooks';

/** The HTTP API, without listen(): tests and entry points decide where it runs. */
export function buildApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    res.setHeader('x-request-id', incoming && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID());
    next();
  });
  app.use(healthRouter(deps));
  app.use('/v1', (req, _res, next) => {
    // Fail fast while Redis is away rather than queue requests behind a reconnect.
    if (deps.redis.status !== 'ready') next(new LifeboatError('LB_ERR_DEPENDENCY_DOWN', 'Redis is not reachable; GET /readyz for details', { dependency: 'redis' }));
    else next();
  });
  app.use('/v1/runbooks', triggerRouter(deps));
  app.use('/v1', requireJson, parseJson);
  app.use('/v1/plans', plansRouter(deps));
  app.use('/v1/operations', operationsRouter(deps));
  app.use('/v1/fleet', fleetRouter(deps));
  app.use('/v1/models', modelsRouter(deps));
  app.use('/v1/runbooks', runbooksRouter(deps));
  app.use('/v1/readiness', readinessRouter(deps));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
