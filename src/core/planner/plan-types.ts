import type { Problem } from '../errors';
import type { RegionCode } from '../fleet';
import type { IntentRequest } from '../intents';
import type { MeasuredDemand } from '../load/peak-ahead';
import type { ModelParameters } from '../models/evaluate-model';
import type { SwitchDesign, SwitchPlan } from '../switches';

export interface GroupSize {
  minSize: number;
  desiredCapacity: number;
  maxSize: number;
}

/** One UpdateAutoScalingGroup: absolute sizes, never increments. */
export interface GroupChange {
  /** The group's account, when lifeboat manages several. */
  account?: string;
  region: RegionCode;
  group: string;
  service: string;
  from: GroupSize;
  to: GroupSize;
}

/** The settings lifeboat gives a warm pool (PutWarmPool): absolute, so setting them twice is harmless. */
export interface WarmPoolSettings {
  /** Warm instances kept whatever the group runs: the growth the pool is sized for. */
  minSize: number;
  /** Instances in service plus warm, at most (AWS keeps the pool at MinSize at least). */
  maxGroupPreparedCapacity: number;
  poolState: 'Stopped' | 'Running' | 'Hibernated';
}

/**
 * One warm pool lifeboat sets (to) or deletes (to: null). `growth` is the most this group
 * would grow when one neighbour is evacuated (`forLossOf`, the neighbour asking most).
 */
export interface WarmPoolChange {
  account?: string;
  region: RegionCode;
  group: string;
  service: string;
  /** The pool as it is, when the group has one. */
  from?: { size: number; minSize?: number; maxGroupPreparedCapacity?: number; poolState?: string };
  to: WarmPoolSettings | null;
  growth: number;
  forLossOf?: RegionCode;
}

/**
 * How much of one survivor's growth (service, region) its warm pools cover: `warm` instances
 * come from the pools (in service in seconds), `cold` are launched (minutes).
 */
export interface WarmCoverage {
  service: string;
  region: RegionCode;
  growth: number;
  warm: number;
  cold: number;
}

/** One weighted record's new weight (all record types of a name move together). */
export interface WeightChange {
  zoneId: string;
  name: string;
  type: string;
  region: RegionCode;
  setIdentifier: string;
  from: number;
  to: number;
}

export interface RegionLoad {
  service: string;
  region: RegionCode;
  share: number;
  /** Instances the region runs for the service once prescaled. */
  instances: number;
  /** Instances the model says this share needs (headroom included). */
  needed: number;
  /** needed ÷ instances: above 1 the region is short for this stage; null when it runs none but needs some. */
  loadFactor: number | null;
}

export interface Stage {
  index: number;
  /** Cumulative percentage of the move done once this stage is in. */
  percent: number;
  weights: WeightChange[];
  /** Shares the stage's weights imply, per name and region. */
  traffic: Array<{ name: string; region: RegionCode; weight: number; share: number }>;
  load: RegionLoad[];
}

/** The capacity verdict for one service in one region. */
export interface CapacityTarget {
  service: string;
  region: RegionCode;
  share: number;
  targetShare: number;
  current: number;
  inService: number;
  /** What the model asks for at the target share. */
  required: number;
  /** What lifeboat will set (never below current). */
  target: number;
  /** Most instances obtainable: Σ ceil(MaxSize × maxSizeGrowth) over the groups. */
  ceiling: number;
  /** Instances missing under the ceiling (0 when none). */
  shortfall: number;
}

/**
 * The demand a service was sized for, and how it is known: measured (CloudWatch, with the
 * figure now, the figure sized for and where it comes from), given (a `demand` parameter),
 * or estimated from instance counts (no figure: what regions run is taken for what they need).
 */
export type ServiceDemand = { how: 'counts' } | { how: 'given'; sizedFor: number; unit: string } | MeasuredDemand;

export interface ServicePlan {
  service: string;
  trafficName?: string;
  /** The model that sized it: the one asked, or its fallback (see fellBack). */
  model: string;
  demand: ServiceDemand;
  /** Why the model asked could not size it, when its fallback did. */
  fellBack?: { from: string; reason: string };
  parameters: ModelParameters;
  regions: CapacityTarget[];
}

type PlanWarningCode =
  | 'NAME_WITHOUT_SERVICE'
  | 'NAME_WITHOUT_REGION_RECORD'
  | 'RECIPIENT_WITHOUT_RECORD'
  | 'GROUP_GONE'
  | 'FORCED'
  | 'MODEL_FALLBACK'
  | 'INSTANCE_TYPE_NOT_IN_ZONE'
  | 'INSTANCE_REFRESH_IN_PROGRESS'
  | 'INSTANCE_REFRESH_UNKNOWN'
  | 'SCHEDULED_ACTION_DUE'
  /** A group needs warm instances but has a warm pool lifeboat did not create: left as it is. */
  | 'WARM_POOL_NOT_OURS'
  /** What a reconcile returns the fleet to. */
  | 'RECONCILE_TARGET';

export interface PlanWarning {
  /** A plan warning code above, or a snapshot warning code (see fleet.ts). */
  code: PlanWarningCode | string;
  message: string;
  details?: Record<string, unknown>;
}

export interface Plan {
  kind: IntentRequest['kind'];
  /** The intent as asked (a restore's previous snapshot is not repeated). */
  intent: IntentRequest;
  region?: RegionCode;
  /** The model asked (or the default); each service says which model really sized it. */
  model: string;
  maxSizeGrowth: number;
  snapshotTakenAt: string;
  regions: RegionCode[];
  /** DNS names whose weights this plan moves. */
  names: string[];
  services: ServicePlan[];
  /** Applied before any traffic moves (prescale), then awaited. */
  groupChanges: GroupChange[];
  stages: Stage[];
  /** Applied after the last stage (a restore returns survivors' MinSize here). */
  finalGroupChanges: GroupChange[];
  /** Warm pools to set or delete (prepare- and release-dark-capacity), before anything else. */
  warmPoolChanges?: WarmPoolChange[];
  /** Per survivor that grows, how much of its growth warm pools cover; only when some group that grows has a warm pool. */
  warmCoverage?: WarmCoverage[];
  /** Worth a human's attention, but not in the way: the snapshot's warnings and the plan's own. */
  warnings: PlanWarning[];
  /** Problems that forbid carrying the plan out (unless forced where allowed). */
  blockers: Problem[];
  /** prepare-switches: each region's switch as it is and the changes that prepare it. */
  switches?: SwitchPlan;
  /** An evacuation with fallback "switch": the region's switch, turned off if Route 53's change API fails. */
  fallbackSwitch?: SwitchDesign;
  /** A restore of a region evacuated through its switch: the switch to turn back on. */
  switchOn?: SwitchDesign;
}
