import type { FleetSnapshot, RegionCode } from '../../core/fleet';
import type { InstanceRefreshReading } from '../../cloud/ports';
import type { SwitchDesign } from '../../core/switches';
import type { CancelRequest } from '../operation-types';

/** The fleet as it was before a region was first evacuated (or shifted), kept until it is restored. */
export interface EvacuationRecord {
  region: RegionCode;
  operationId: string;
  at: string;
  snapshot: FleetSnapshot;
  /** Capacity came short and only part of the traffic moved: the region is partly evacuated (restore brings back what moved). */
  partial?: boolean;
  /** Route 53's change API failed and the region left through its switch: restore turns it back on. */
  switched?: SwitchDesign;
}

/** A group a failed or cancelled operation left pinned (onFailure: keep): someone has to let it go. */
export interface FollowUp {
  operationId: string;
  at: string;
  region: RegionCode;
  group: string;
  account?: string;
  /** The MinSize lifeboat pinned, and the one the group had before. */
  pinnedMinSize: number;
  originalMinSize: number;
  /** Processes lifeboat suspended on the group and left suspended with the pin (resume them when letting it go). */
  suspendedProcesses?: string[];
  why: string;
}

/** The groups (keyOfGroup) whose instance refreshes were asked for, and the refreshes under way among them. */
export interface KnownRefreshes {
  asked: string[];
  found: InstanceRefreshReading[];
}

/** A fleet snapshot as an operation keeps it: with the fleet version it was read at (see SnapshotCache). */
export interface OperationSnapshot {
  snapshot: FleetSnapshot;
  fleetVersion: string;
  /** When it was read (epoch ms). */
  readAt: number;
  /** The instance refreshes read for the plan the operation was accepted on (the guard reuses them on the same read). */
  refreshes?: KnownRefreshes;
}

/** Processes lifeboat suspended on a group: what it resumes when it lets the group go, and nothing else. */
export interface SuspensionRecord {
  region: RegionCode;
  group: string;
  account?: string;
  processes: string[];
  operationId: string;
  at: string;
}

export type IdempotencyClaim = { claimed: true } | { claimed: false; operationId: string; bodyHash: string };

/**
 * What operations keep besides their jobs: idempotency keys, the record of each evacuated
 * region (what a restore goes back to), the fleet each operation was planned on, a revision
 * per operation for cached views, and cancel requests (read by the runner between steps, so
 * they never race with its checkpoints).
 */
export interface OperationStore {
  /** Claim an Idempotency-Key for a new operation, or learn which operation already has it. */
  claimIdempotencyKey(actor: string, key: string, bodyHash: string, operationId: string): Promise<IdempotencyClaim>;
  /** Forget a claim whose operation was refused before it existed, so the request can be sent again. */
  releaseIdempotencyKey(actor: string, key: string, operationId: string): Promise<void>;
  /** Keep the first record: evacuating a half-evacuated region must still restore to the original. */
  recordEvacuation(record: EvacuationRecord): Promise<boolean>;
  evacuationOf(region: RegionCode): Promise<EvacuationRecord | undefined>;
  evacuatedRegions(regions: readonly RegionCode[]): Promise<RegionCode[]>;
  clearEvacuation(region: RegionCode): Promise<void>;
  /** The fleet an operation was planned on, kept beside its job (the largest part of it). */
  saveSnapshot(operationId: string, snapshot: OperationSnapshot): Promise<void>;
  snapshotOf(operationId: string): Promise<OperationSnapshot | undefined>;
  /** Whether lifeboat has any record of the operation (it keeps the fleet every operation was planned on for 30 days). */
  knows(operationId: string): Promise<boolean>;
  /** Bumped whenever an operation's checkpoint or progress changes: what cached views are keyed on. */
  touch(operationId: string): Promise<void>;
  revision(operationId: string): Promise<string>;
  requestCancel(operationId: string, request: CancelRequest): Promise<void>;
  cancelRequest(operationId: string): Promise<CancelRequest | undefined>;
  /** Note, before suspending them, the processes lifeboat suspends on a group (kept until it resumes them). */
  noteSuspended(record: SuspensionRecord): Promise<void>;
  /** What lifeboat suspended on these groups (and has not resumed). */
  suspensionsOf(groups: ReadonlyArray<{ region: RegionCode; group: string; account?: string | undefined }>): Promise<SuspensionRecord[]>;
  forgetSuspended(groups: ReadonlyArray<{ region: RegionCode; group: string; account?: string | undefined }>): Promise<void>;
  /** Mark the region's evacuation record (made by this operation) as partial. */
  markEvacuationPartial(region: RegionCode, operationId: string): Promise<void>;
  /** Mark the region's evacuation record (made by this operation) as done through the region's switch. */
  markEvacuationSwitched(region: RegionCode, operationId: string, design: SwitchDesign): Promise<void>;
  /** Pins left behind on purpose or not, listed by GET /v1/fleet while the group still holds them. */
  recordFollowUps(followUps: readonly FollowUp[]): Promise<void>;
  followUps(): Promise<FollowUp[]>;
  /** Forget follow-ups that no longer hold (the group was let go since). */
  forgetFollowUps(followUps: readonly FollowUp[]): Promise<void>;
}
