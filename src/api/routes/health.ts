import { Router } from 'express';
import type { ApiDeps } from '../api-deps';
import { readinessAnswer, redisCheck } from '../process-checks';

/**
 * /readyz: this process can serve. No token: load balancers and orchestrators ask it. It
 * checks what this process needs (Redis answers it; its workers run, when it runs some),
 * never AWS: a region or an endpoint that is down is what lifeboat is for, and GET
 * /v1/status reports it. (/healthz, alive, is in app.ts.)
 */
export function healthRouter(deps: ApiDeps): Router {
  const router = Router();
  router.get('/readyz', async (_req, res) => {
    const checks = deps.processChecks ? await deps.processChecks() : { redis: await redisCheck(deps.redis) };
    const { status, body } = readinessAnswer(checks);
    res.status(status).json(body);
  });
  return router;
}
