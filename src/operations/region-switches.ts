import type { SwitchBoard } from '../cloud/ports';
import { LifeboatError } from '../core/errors';
import type { FleetSnapshot, RegionCode } from '../core/fleet';
import type { RegionSwitchStatus, SwitchPlan } from '../core/switches';
import { planSwitches, switchDesign } from '../core/switches';
import type { OperationDeps } from './deps';

/**
 * The region switches from the operations' side: the switch board (the cloud's CloudWatch
 * and Route 53 health checks), read and planned with core/switches.ts. GET /v1/switches,
 * prepare-switches and an evacuation's fallback all come through here.
 */

/** The switch board, or why there is none (a cloud that is not AWS: the dry run). */
export function switchBoardOf(deps: Pick<OperationDeps, 'switches'>): SwitchBoard {
  if (!deps.switches) {
    throw new LifeboatError('LB_ERR_SWITCH_NOT_PREPARED', 'this lifeboat has no region switches: its cloud is not AWS (a dry run or a test cloud)', {});
  }
  return deps.switches;
}

/** Each region's switch as it is and what preparing it would change, on a fleet snapshot's weighted records. */
export async function planRegionSwitches(deps: Pick<OperationDeps, 'switches'>, snapshot: FleetSnapshot, regions: readonly RegionCode[]): Promise<SwitchPlan> {
  const board = switchBoardOf(deps);
  const designs = regions.map((r) => switchDesign(r, board.controlRegions));
  const reading = await board.readSwitches(designs);
  return planSwitches(regions, board.controlRegions, { ...reading, records: snapshot.records });
}

export interface SwitchesView {
  controlRegions: RegionCode[];
  switches: RegionSwitchStatus[];
  /** Changes prepare-switches would make now. */
  pendingChanges: number;
  warnings: SwitchPlan['warnings'];
  problems: SwitchPlan['blockers'];
  readAt: string;
}

/** What GET /v1/switches reports: every managed region's switch, on a fleet read a few seconds old at most. */
export async function switchesView(deps: Pick<OperationDeps, 'switches' | 'snapshots' | 'settings'>): Promise<SwitchesView> {
  const read = await deps.snapshots.read();
  const plan = await planRegionSwitches(deps, read.snapshot, deps.settings.LIFEBOAT_REGIONS);
  return {
    controlRegions: plan.controlRegions,
    switches: plan.regions,
    pendingChanges: plan.changes.length,
    warnings: plan.warnings,
    problems: plan.blockers,
    readAt: new Date(read.readAt).toISOString(),
  };
}
