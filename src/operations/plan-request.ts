import type { CloudPort, InstanceRefreshReading } from '../cloud/ports';
import type { FleetSnapshot } from '../core/fleet';
import { accountOf, keyOfGroup } from '../core/fleet';
import type { Intent, IntentRequest } from '../core/intents';
import { groupsGainingTraffic } from '../core/planner/fleet-checks';
import { indexFleet } from '../core/planner/fleet-index';
import { plan } from '../core/planner/plan';
import type { PlanContext } from '../core/planner/plan-context';
import type { Plan } from '../core/planner/plan-types';
import type { EvacuationRecord } from './ports/operation-store';
import type { OperationDeps } from './deps';
import type { VersionedSnapshot } from './snapshot-cache';
import { planContextOf } from './deps';
import { findUnfinished, reconcileTarget } from './unfinished';

export interface PlannedRequest {
  snapshot: FleetSnapshot;
  /** The fleet version and time of the read the plan was made on. */
  read: VersionedSnapshot;
  plan: Plan;
  /** For a restore: the evacuation it undoes. */
  evacuation?: EvacuationRecord;
}

/**
 * Read the fleet and plan an intent. A restore goes back to the snapshot recorded when the
 * region was first evacuated; regions still evacuated otherwise stay so. `fresh` reads AWS
 * now; `on` plans on a given read; otherwise a fleet read a few seconds old will do.
 */
export async function planRequest(
  intent: IntentRequest,
  deps: Pick<OperationDeps, 'snapshots' | 'models' | 'settings' | 'store' | 'cloud'>,
  options: { fresh?: boolean; on?: VersionedSnapshot } = {},
): Promise<PlannedRequest> {
  const read = options.on ?? (await deps.snapshots.read(options.fresh ? 0 : undefined));
  const ctx = planContextOf(deps);
  const { snapshot } = read;
  if (intent.kind === 'reconcile') {
    const { target } = await reconcileTarget(intent, snapshot, deps);
    return { snapshot, read, plan: plan(snapshot, { ...intent, target }, ctx) };
  }
  if (intent.kind !== 'restore') return { read, ...(await planWithRefreshes(snapshot, intent, ctx, deps.cloud)) };

  // Both Redis reads at once: the regions still evacuated are only wasted on a refusal.
  const [evacuation, evacuated] = await Promise.all([deps.store.evacuationOf(intent.region), deps.store.evacuatedRegions(snapshot.regions)]);
  if (!evacuation) {
    // A restore to the fleet as it is changes nothing (no group changes, no stages): only its blocker is replaced.
    const refused = plan(snapshot, { ...intent, previous: snapshot }, ctx);
    // After Redis lost its records, AWS still holds lifeboat's pins: reconcile is the way back.
    const unfinished = await findUnfinished(snapshot, deps);
    const more = unfinished.length ? `; but AWS shows work lifeboat has no record of (${unfinished.map((u) => u.message).join('; ')})` : '';
    refused.blockers = [
      {
        code: 'LB_ERR_REGION_NOT_EVACUATED',
        message: `no evacuation or shift of ${intent.region} is on record; lifeboat restores what it moved${more}`,
        details: { region: intent.region, ...(unfinished.length ? { unfinished: unfinished.map((u) => u.operationId) } : {}) },
      },
    ];
    return { snapshot, read, plan: refused };
  }
  const others = evacuated.filter((r) => r !== intent.region);
  return { read, evacuation, ...(await planWithRefreshes(snapshot, { ...intent, previous: evacuation.snapshot, stillEvacuated: others }, ctx, deps.cloud)) };
}

/**
 * Plan, then ask which of the groups the plan grows or loads have an instance refresh under
 * way (one call per group, so only those), and plan again on the snapshot that says so. A
 * refresh that cannot be read is a warning: the plan does not know.
 */
async function planWithRefreshes(snapshot: FleetSnapshot, intent: Intent, ctx: PlanContext, cloud: Pick<CloudPort, 'readInstanceRefreshes'>): Promise<{ snapshot: FleetSnapshot; plan: Plan }> {
  const first = plan(snapshot, intent, ctx);
  const index = indexFleet(snapshot);
  const growing = first.groupChanges.filter((c) => c.to.desiredCapacity > c.from.desiredCapacity).map((c) => ({ ...accountOf(c), region: c.region, group: c.group }));
  const refs = [...new Map([...growing, ...groupsGainingTraffic(index, first).map((g) => ({ ...accountOf(g), region: g.region, group: g.name }))].map((r) => [keyOfGroup(r), r])).values()];
  if (refs.length === 0) return { snapshot, plan: first };
  let refreshes: InstanceRefreshReading[];
  try {
    refreshes = await cloud.readInstanceRefreshes(refs);
  } catch (e) {
    first.warnings.push({
      code: 'INSTANCE_REFRESH_UNKNOWN',
      message: `could not read the instance refreshes of ${refs.length} group(s) that grow or carry more traffic: ${e instanceof Error ? e.message : String(e)}`,
      details: { groups: refs.map((r) => r.group) },
    });
    return { snapshot, plan: first };
  }
  if (refreshes.length === 0) return { snapshot, plan: first };
  const byKey = new Map(refreshes.map((r) => [keyOfGroup(r), r]));
  const groups = snapshot.groups.map((g) => {
    const r = byKey.get(keyOfGroup(g));
    return r ? { ...g, instanceRefresh: { id: r.id, status: r.status, ...(r.percentageComplete !== undefined ? { percentageComplete: r.percentageComplete } : {}) } } : g;
  });
  const withRefreshes = { ...snapshot, groups };
  return { snapshot: withRefreshes, plan: plan(withRefreshes, intent, ctx) };
}
