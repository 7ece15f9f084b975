import type { CloudPort, InstanceRefreshReading } from '../cloud/ports';
import type { FleetSnapshot } from '../core/fleet';
import { accountOf, keyOfGroup } from '../core/fleet';
import type { Intent, IntentRequest } from '../core/intents';
import { groupsGainingTraffic } from '../core/planner/fleet-checks';
import { indexFleet } from '../core/planner/fleet-index';
import { plan } from '../core/planner/plan';
import type { PlanContext } from '../core/planner/plan-context';
import type { Plan } from '../core/planner/plan-types';
import type { EvacuationRecord, KnownRefreshes } from './ports/operation-store';
import type { OperationDeps } from './deps';
import type { VersionedSnapshot } from './snapshot-cache';
import { planContextOf } from './deps';
import { findUnfinished, reconcileTarget } from './unfinished';
import { asSwitchedOff, switchDesign, switchNotPrepared } from '../core/switches';
import { planRegionSwitches, switchBoardOf } from './region-switches';

export interface PlannedRequest {
  snapshot: FleetSnapshot;
  /** The fleet version and time of the read the plan was made on. */
  read: VersionedSnapshot;
  plan: Plan;
  /** For a restore: the evacuation it undoes. */
  evacuation?: EvacuationRecord;
  /**
   * The instance refreshes of the groups the plan grows or loads, when they were read (or
   * known) for it: a guard that plans again on the same read reuses them.
   */
  refreshes?: KnownRefreshes;
}

/** A read to plan on, with the instance refreshes already read for a plan on it (see guard.ts). */
export type AcceptedRead = VersionedSnapshot & { refreshes?: KnownRefreshes };

/**
 * Read the fleet and plan an intent. A restore goes back to the snapshot recorded when the
 * region was first evacuated; regions still evacuated otherwise stay so. `fresh` reads AWS
 * now; `on` plans on a given read; otherwise a fleet read a few seconds old will do.
 */
export async function planRequest(
  intent: IntentRequest,
  deps: Pick<OperationDeps, 'snapshots' | 'models' | 'settings' | 'store' | 'cloud' | 'switches'>,
  options: { fresh?: boolean; on?: AcceptedRead } = {},
): Promise<PlannedRequest> {
  const read = options.on ?? (await deps.snapshots.read(options.fresh ? 0 : undefined));
  const known = options.on?.refreshes;
  const ctx = planContextOf(deps);
  const { snapshot } = read;
  if (intent.kind === 'reconcile') {
    const { target } = await reconcileTarget(intent, snapshot, deps);
    return { snapshot, read, plan: plan(snapshot, { ...intent, target }, ctx) };
  }
  if (intent.kind === 'prepare-switches') {
    const board = switchBoardOf(deps);
    const regions = intent.regions ?? snapshot.regions;
    const reading = await board.readSwitches(regions.map((r) => switchDesign(r, board.controlRegions)));
    return { snapshot, read, plan: plan(snapshot, { ...intent, controlRegions: [...board.controlRegions], reading }, ctx) };
  }
  if (intent.kind === 'evacuate' && intent.fallback === 'switch') {
    const planned = await planWithRefreshes(snapshot, intent, ctx, deps.cloud, known);
    await addFallbackSwitch(planned.plan, intent.region, snapshot, deps);
    return { read, ...planned };
  }
  if (intent.kind !== 'restore') return { read, ...(await planWithRefreshes(snapshot, intent, ctx, deps.cloud, known)) };

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
  // A region that left through its switch serves nothing whatever its weights say: the restore
  // plans from that, sets its first stage's weights, then turns the switch back on.
  const effective = evacuation.switched ? asSwitchedOff(snapshot, intent.region) : snapshot;
  const planned = await planWithRefreshes(effective, { ...intent, previous: evacuation.snapshot, stillEvacuated: others }, ctx, deps.cloud, known);
  if (evacuation.switched) planned.plan.switchOn = evacuation.switched;
  return { read, evacuation, ...planned };
}

/**
 * An evacuation that may fall back to the region's switch: refused (a blocker) unless the
 * switch is prepared; otherwise the plan carries the switch the steps turn off if Route 53's
 * change API fails. A switch that cannot be read counts as not prepared.
 */
async function addFallbackSwitch(planned: Plan, region: string, snapshot: FleetSnapshot, deps: Pick<OperationDeps, 'switches'>): Promise<void> {
  try {
    const switches = await planRegionSwitches(deps, snapshot, [region]);
    const status = switches.regions.find((s) => s.region === region);
    const refusal = switchNotPrepared(status, region) ?? switches.blockers[0];
    if (refusal) planned.blockers.push(refusal.code === 'LB_ERR_SWITCH_NOT_PREPARED' ? refusal : { ...refusal, code: 'LB_ERR_SWITCH_NOT_PREPARED', message: `fallback "switch": ${refusal.message}` });
    else planned.fallbackSwitch = switchDesign(region, switches.controlRegions);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    planned.blockers.push({ code: 'LB_ERR_SWITCH_NOT_PREPARED', message: `fallback "switch": the switch of ${region} could not be read (${message})`, details: { region } });
  }
}

/**
 * Plan, then ask which of the groups the plan grows or loads have an instance refresh under
 * way (one call per group, so only those), and plan again on the snapshot that says so. A
 * refresh that cannot be read is a warning: the plan does not know. Refreshes `known` from a
 * plan of the same intent on the same read are used instead of asking AWS again (the same
 * plan grows the same groups): a guard planning on the read its request was accepted on
 * costs no call per group.
 */
async function planWithRefreshes(
  snapshot: FleetSnapshot,
  intent: Intent,
  ctx: PlanContext,
  cloud: Pick<CloudPort, 'readInstanceRefreshes'>,
  known?: KnownRefreshes,
): Promise<{ snapshot: FleetSnapshot; plan: Plan; refreshes?: KnownRefreshes }> {
  const first = plan(snapshot, intent, ctx);
  const index = indexFleet(snapshot);
  const growing = first.groupChanges.filter((c) => c.to.desiredCapacity > c.from.desiredCapacity).map((c) => ({ ...accountOf(c), region: c.region, group: c.group }));
  const refs = [...new Map([...growing, ...groupsGainingTraffic(index, first).map((g) => ({ ...accountOf(g), region: g.region, group: g.name }))].map((r) => [keyOfGroup(r), r])).values()];
  const asked = refs.map((r) => keyOfGroup(r));
  if (refs.length === 0) return { snapshot, plan: first, refreshes: { asked, found: [] } };
  // Known only if they were asked for every group this plan asks about.
  const reuse = known && asked.every((k) => known.asked.includes(k)) ? known.found.filter((r) => asked.includes(keyOfGroup(r))) : undefined;
  let refreshes: InstanceRefreshReading[];
  try {
    refreshes = reuse ?? (await cloud.readInstanceRefreshes(refs));
  } catch (e) {
    first.warnings.push({
      code: 'INSTANCE_REFRESH_UNKNOWN',
      message: `could not read the instance refreshes of ${refs.length} group(s) that grow or carry more traffic: ${e instanceof Error ? e.message : String(e)}`,
      details: { groups: refs.map((r) => r.group) },
    });
    return { snapshot, plan: first };
  }
  if (refreshes.length === 0) return { snapshot, plan: first, refreshes: { asked, found: refreshes } };
  const byKey = new Map(refreshes.map((r) => [keyOfGroup(r), r]));
  const groups = snapshot.groups.map((g) => {
    const r = byKey.get(keyOfGroup(g));
    return r ? { ...g, instanceRefresh: { id: r.id, status: r.status, ...(r.percentageComplete !== undefined ? { percentageComplete: r.percentageComplete } : {}) } } : g;
  });
  const withRefreshes = { ...snapshot, groups };
  return { snapshot: withRefreshes, plan: plan(withRefreshes, intent, ctx), refreshes: { asked, found: refreshes } };
}
