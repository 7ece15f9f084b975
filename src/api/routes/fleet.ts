import { Router } from 'express';
import { takeSnapshot } from '../../operations/fleet-snapshot';
import type { ApiDeps } from '../api-deps';

/** GET /v1/fleet: the snapshot now, and which regions lifeboat holds as evacuated. */
export function fleetRouter(deps: ApiDeps): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    const [snapshot, evacuated] = await Promise.all([takeSnapshot(deps.cloud), deps.store.evacuatedRegions(deps.settings.LIFEBOAT_REGIONS)]);
    res.json({ snapshot, evacuatedRegions: evacuated });
  });
  return router;
}
