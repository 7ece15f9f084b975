import { Router } from 'express';
import type { ApiDeps } from '../api-deps';

/** GET /v1/fleet: the snapshot (at most LIFEBOAT_SNAPSHOT_CACHE_MS old; ?fresh=true reads AWS now), and the regions held as evacuated. */
export function fleetRouter(deps: ApiDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const fresh = req.query.fresh === 'true';
    const [snapshot, evacuated] = await Promise.all([deps.snapshots.get(fresh ? 0 : undefined), deps.store.evacuatedRegions(deps.settings.LIFEBOAT_REGIONS)]);
    res.json({ snapshot, evacuatedRegions: evacuated });
  });
  return router;
}
