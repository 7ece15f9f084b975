import { Router } from 'express';
import type { FleetSnapshot } from '../../core/fleet';
import { keyOfGroup } from '../../core/fleet';
import type { FollowUp } from '../../operations/ports/operation-store';
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
    const [partlyEvacuated, followUps, unfinished] = await Promise.all([partlyEvacuatedOf(deps, evacuated), followUpsHolding(deps, snapshot), findUnfinished(snapshot, deps)]);
    res.json({ snapshot, evacuatedRegions: evacuated, partlyEvacuatedRegions: partlyEvacuated, followUps, unfinished });
  });
  return router;
}

async function partlyEvacuatedOf(deps: ApiDeps, evacuated: readonly string[]): Promise<string[]> {
  const records = await Promise.all(evacuated.map((r) => deps.store.evacuationOf(r)));
  return records.filter((r) => r?.partial).map((r) => r!.region);
}

/**
 * Pins left behind by failed or cancelled operations, while the group still holds them; one
 * let go since (its MinSize back below the pin) is forgotten.
 */
async function followUpsHolding(deps: ApiDeps, snapshot: FleetSnapshot): Promise<FollowUp[]> {
  const all = await deps.store.followUps();
  const groups = new Map(snapshot.groups.map((g) => [keyOfGroup(g), g]));
  const unreadable = new Set(snapshot.warnings.filter((w) => w.code === 'REGION_UNREADABLE').map((w) => w.region));
  const gone = all.filter((f) => !unreadable.has(f.region) && (groups.get(keyOfGroup(f))?.minSize ?? 0) < f.pinnedMinSize);
  await deps.store.forgetFollowUps(gone);
  return all.filter((f) => !gone.includes(f));
}
