import { Router } from 'express';
import { z } from 'zod';
import { refreshReadiness } from '../../operations/refresh-readiness';
import { parseOrThrow } from '../../operations/validation';
import type { ApiDeps } from '../api-deps';

export const readinessQuerySchema = z.object({ refresh: z.enum(['true', 'false']).optional() }).strict();

/** GET /v1/readiness: the latest N+1 report (recomputed on a schedule), or a fresh one with ?refresh=true. */
export function readinessRouter(deps: ApiDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const query = parseOrThrow(readinessQuerySchema, req.query);
    const latest = query.refresh === 'true' ? undefined : await deps.readinessReports.latest();
    const report = latest ?? (await refreshReadiness(deps));
    res.json({ readiness: report, intervalSeconds: deps.settings.LIFEBOAT_READINESS_INTERVAL });
  });
  return router;
}
