import { Router } from 'express';
import { findUnfinished } from '../../operations/unfinished';
import type { ApiDeps } from '../api-deps';

/**
 * GET /v1/fleet: the snapshot (at most LIFEBOAT_SNAPSHOT_CACHE_MS old; ?fresh=true reads AWS
 * now), the regions held as evacuated, and work lifeboat left unfinished on AWS that it has
 * no record of (pinned groups, moved weights: see operations/unfinished.ts).
 */
export function fleetRouter(deps: ApiDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const fresh = req.query.fresh === 'true';
    const [snapshot, evacuated] = await Promise.all([deps.snapshots.get(fresh ? 0 : undefined), deps.store.evacuatedRegions(deps.settings.LIFEBOAT_REGIONS)]);
    const unfinished = await findUnfinished(snapshot, deps);
    res.json({ snapshot, evacuatedRegions: evacuated, unfinished });
  });
  return router;
}
