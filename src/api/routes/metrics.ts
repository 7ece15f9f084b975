import { Router } from 'express';
import type { ApiDeps } from '../api-deps';

/** GET /metrics: Prometheus text format (viewer role, like every read). */
export function metricsRouter(deps: Pick<ApiDeps, 'metrics'>): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    const { contentType, body } = await deps.metrics.scrape();
    res.type(contentType).send(body);
  });
  return router;
}
