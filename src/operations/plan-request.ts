import type { FleetSnapshot } from '../core/fleet';
import type { IntentRequest } from '../core/intents';
import { plan } from '../core/planner/plan';
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
  deps: Pick<OperationDeps, 'snapshots' | 'models' | 'settings' | 'store'>,
  options: { fresh?: boolean; on?: VersionedSnapshot } = {},
): Promise<PlannedRequest> {
  const read = options.on ?? (await deps.snapshots.read(options.fresh ? 0 : undefined));
  const { snapshot } = read;
  const ctx = planContextOf(deps);
  if (intent.kind === 'reconcile') {
    const { target } = await reconcileTarget(intent, snapshot, deps);
    return { snapshot, read, plan: plan(snapshot, { ...intent, target }, ctx) };
  }
  if (intent.kind !== 'restore') return { snapshot, read, plan: plan(snapshot, intent, ctx) };

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
  return {
    snapshot,
    read,
    evacuation,
    plan: plan(snapshot, { ...intent, previous: evacuation.snapshot, stillEvacuated: others }, ctx),
  };
}
