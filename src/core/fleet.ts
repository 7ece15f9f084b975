import type { Problem } from './errors';

/**
 * The fleet as lifeboat sees it: what the cloud adapters read, normalized into plain,
 * JSON-serializable data. Everything the planner needs comes from a FleetSnapshot.
 */

export type RegionCode = string;

export const TAG_SERVICE = 'lifeboat:service';
export const TAG_CAPACITY_PER_INSTANCE = 'lifeboat:capacity-per-instance';
export const TAG_TRAFFIC = 'lifeboat:traffic';
export const TAG_MANAGED_ZONE = 'lifeboat:managed';
/** The CloudWatch metric that measures a group's load, when not its CPUUtilization (see load/load-metric.ts). */
export const TAG_LOAD_METRIC = 'lifeboat:load-metric';
/** The load one instance of the group should carry after a move, in its load metric's unit. */
export const TAG_TARGET_UTILIZATION = 'lifeboat:target-utilization';
/**
 * On a group whose warm pool lifeboat created (prepare-dark-capacity): `created`. Only such
 * pools are ever resized or deleted by lifeboat; a pool someone else made is left as it is.
 */
export const TAG_WARM_POOL = 'lifeboat:warm-pool';
export const WARM_POOL_CREATED = 'created';

interface InstanceState {
  instanceId: string;
  availabilityZone?: string;
  /** Auto Scaling lifecycle state: Pending, InService, Terminating, Standby, ... */
  lifecycleState: string;
  /** Healthy or Unhealthy, as Auto Scaling reports it. */
  healthStatus: string;
  instanceType?: string;
  /** EC2 status checks (instance or system) report it impaired: InService, but not capacity. */
  impaired?: boolean;
}

/** A scheduled action of an Auto Scaling group: it sets the sizes it names when it fires. */
export interface ScheduledAction {
  name: string;
  /** One-off (or first) time, ISO. */
  startTime?: string;
  /** Cron (minute hour day month weekday), in timeZone (UTC by default). */
  recurrence?: string;
  timeZone?: string;
  endTime?: string;
  minSize?: number;
  maxSize?: number;
  desiredCapacity?: number;
}

/**
 * What Auto Scaling and EC2 say about a group besides its sizes: what can undo or stall an
 * evacuation. Every field is optional: an adapter that did not read one leaves it out.
 */
export interface GroupDetails {
  /** The AWS account the group lives in, when lifeboat manages several (LIFEBOAT_ACCOUNTS). */
  account?: string;
  /** Processes suspended on the group: Launch, Terminate, HealthCheck, ReplaceUnhealthy, ScheduledActions, ... */
  suspendedProcesses?: string[];
  scheduledActions?: ScheduledAction[];
  /** An instance refresh under way (Pending, InProgress, Cancelling, RollbackInProgress, Baking). */
  instanceRefresh?: { id: string; status: string; percentageComplete?: number };
  /** Launch lifecycle hooks: they hold new instances in Pending:Wait. Read when instances wait there. */
  launchHooks?: string[];
  /** The group's warm pool (AWS's "dark capacity": instances initialized and stopped), when it has one. */
  warmPool?: WarmPoolReading;
  /** The instance types the group launches (its launch template, or the mixed instances overrides) and the zones of the group that offer each. */
  instanceTypes?: Array<{ type: string; offeredIn?: string[] }>;
  availabilityZones?: string[];
  mixedInstances?: boolean;
}

/**
 * A warm pool as DescribeAutoScalingGroups and DescribeWarmPool show it. `size` is the
 * pool's instances: what a scale-out takes from the pool before it launches cold. AWS states
 * it in DescribeAutoScalingGroups (WarmPoolSize, one call for every group); when that is
 * missing, DescribeWarmPool's instances ready to enter service are counted (Warmed:Stopped,
 * Running or Hibernated; not those still Warmed:Pending or leaving). The pool's settings are AWS's own: MinSize, MaxGroupPreparedCapacity, PoolState.
 */
export interface WarmPoolReading {
  size: number;
  /** DescribeAutoScalingGroups did not state the size (WarmPoolSize): the reader still has to count the pool's instances. */
  sizeUnknown?: boolean;
  minSize?: number;
  maxGroupPreparedCapacity?: number;
  poolState?: string;
}

/** Raw Auto Scaling group as read from AWS, before lifeboat interprets its tags. */
export interface AutoScalingGroupReading extends GroupDetails {
  region: RegionCode;
  name: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  tags: Record<string, string>;
  instances: InstanceState[];
}

/** Raw weighted record set as read from a managed hosted zone. */
export interface RecordSetReading {
  /** The AWS account of its hosted zone, when lifeboat manages several. */
  account?: string;
  zoneId: string;
  zoneName: string;
  name: string;
  type: string;
  setIdentifier?: string;
  weight?: number;
  ttl?: number;
  resourceRecords?: string[];
  aliasTarget?: { hostedZoneId: string; dnsName: string; evaluateTargetHealth: boolean };
  healthCheckId?: string;
}

export interface HostedZoneReading {
  account?: string;
  zoneId: string;
  zoneName: string;
  records: RecordSetReading[];
}

/** What a cloud adapter reads: the raw material of a FleetSnapshot. */
export interface FleetReading {
  takenAt: string;
  regions: RegionCode[];
  groups: AutoScalingGroupReading[];
  zones: HostedZoneReading[];
  /** Problems the reader met that the snapshot must carry (an unreadable region, say). */
  warnings?: SnapshotWarning[];
  /** The groups' load as CloudWatch measured it; absent when the reader does not read load. */
  load?: LoadReading;
}

/**
 * A CloudWatch metric, as GetMetricData names one. `Average` reads it as a per-instance
 * level (CPUUtilization: multiplied by the instances in service); `Sum` as the group's
 * total count per period (an ALB target group's RequestCount: divided by the period).
 */
export interface LoadMetric {
  namespace: string;
  metricName: string;
  dimensions: Array<{ name: string; value: string }>;
  statistic: 'Average' | 'Sum';
}

/** A metric's values: [start of the period in epoch seconds, value], oldest first. */
export type MetricPoints = Array<[number, number]>;

/** One group's load as read from CloudWatch, before lifeboat checks it. */
export interface GroupLoadReading {
  region: RegionCode;
  group: string;
  /** The group's AWS account, when lifeboat manages several. */
  account?: string;
  metric: LoadMetric;
  points: MetricPoints;
  /** For an Average metric: the group's GroupInServiceInstances per period (AWS/AutoScaling), when CloudWatch has it. */
  instances?: MetricPoints;
}

/** The fleet's load over the last days: `periods` periods of `periodSeconds`, the last ending at `endsAt`. */
export interface LoadReading {
  /** End of the last period (ISO): the fleet reading's takenAt, to the minute. */
  endsAt: string;
  periodSeconds: number;
  periods: number;
  groups: GroupLoadReading[];
  /** Regions whose CloudWatch did not answer: their load is unknown, not zero. */
  unreadable?: Array<{ region: RegionCode; message: string }>;
}

/** A managed Auto Scaling group, interpreted through the lifeboat tags. */
export interface ManagedGroup extends GroupDetails {
  region: RegionCode;
  name: string;
  service: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  /** Instances InService and Healthy, EC2 status checks not impaired: the capacity that really serves. */
  inService: number;
  /** Instances launching (Pending*, Pending:Wait included), not yet serving. */
  pending: number;
  /** InService instances whose EC2 status checks are impaired: they do not count as capacity. */
  impaired?: number;
  instances: InstanceState[];
  /** Requests per second one instance serves, from lifeboat:capacity-per-instance. */
  capacityPerInstance?: number;
  /** DNS name of the weighted record set that sends users to this group, from lifeboat:traffic. */
  trafficName?: string;
  tags: Record<string, string>;
}

/** A group's identity within the fleet, as a map key: group names are unique per region (and account). */
export function groupKey(region: RegionCode, group: string, account?: string): string {
  return account === undefined ? `${region}\u0000${group}` : `${region}\u0000${group}\u0000${account}`;
}

/** groupKey of anything that names a group: a group change or size update ({region, group, account}), or a reading ({region, name, account}). */
export function keyOfGroup(g: { region: RegionCode; account?: string | undefined } & ({ group: string } | { name: string })): string {
  return groupKey(g.region, 'group' in g ? g.group : g.name, g.account);
}

/** The account field of a group or record, when it has one: for spreading into a change, an update or a reference. */
export function accountOf(g: { account?: string | undefined }): { account?: string } {
  return g.account !== undefined ? { account: g.account } : {};
}

/** A weighted record's identity, as a map key: its zone, name (normalized, as in a snapshot), type and set identifier. */
export function recordKey(r: { zoneId: string; name: string; type: string; setIdentifier: string }): string {
  return `${r.zoneId}\u0000${r.name}\u0000${r.type}\u0000${r.setIdentifier}`;
}

/** A weighted record whose SetIdentifier is a managed region: that region's weight for that name. */
export interface WeightedRecord {
  /** The AWS account of its hosted zone, when lifeboat manages several. */
  account?: string;
  zoneId: string;
  zoneName: string;
  name: string;
  type: string;
  region: RegionCode;
  setIdentifier: string;
  weight: number;
  ttl?: number;
  resourceRecords?: string[];
  aliasTarget?: { hostedZoneId: string; dnsName: string; evaluateTargetHealth: boolean };
  healthCheckId?: string;
}

/** Capacity of one service in one region: the sum over its groups there. */
export interface ServiceCapacity {
  service: string;
  region: RegionCode;
  groups: string[];
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  inService: number;
  pending: number;
  /** InService but impaired by EC2 status checks: not counted in inService. */
  impaired?: number;
  /** Instances held in Pending:Wait, and the launch lifecycle hooks of the groups that hold them. */
  pendingWait?: number;
  launchHooks?: string[];
  /** Requests per second per instance, when every group of the service here says the same. */
  capacityPerInstance?: number;
  trafficName?: string;
}

/** A region's share of one DNS name's traffic: its weight over the sum of weights. */
export interface TrafficShare {
  name: string;
  region: RegionCode;
  weight: number;
  share: number;
}

type SnapshotWarningCode =
  | 'REGION_UNREADABLE'
  | 'TAG_INVALID'
  | 'TRAFFIC_NAME_UNKNOWN'
  | 'TRAFFIC_NAME_MISSING'
  | 'TRAFFIC_NAME_INCONSISTENT'
  | 'CAPACITY_PER_INSTANCE_INCONSISTENT'
  | 'RECORD_NOT_WEIGHTED'
  | 'RECORD_UNKNOWN_SET_IDENTIFIER'
  | 'RECORD_REGION_MISSING'
  | 'RECORD_TYPES_DISAGREE'
  | 'WEIGHTS_ALL_ZERO'
  | 'SERVICE_WITHOUT_TRAFFIC'
  | 'LOAD_REGION_UNREADABLE'
  | 'LOAD_METRIC_MISSING'
  | 'LOAD_VALUE_INVALID'
  | 'LOAD_SPIKE'
  | 'LOAD_INSTANCES_ASSUMED'
  | 'LOAD_TARGET_UNKNOWN'
  | 'LOAD_METRIC_MIXED'
  | 'GROUP_DETAILS_UNREADABLE'
  /** Route 53 could not be read (a reading's warning; a snapshot has one only with the weights of an earlier reading). */
  | 'ROUTE53_UNREADABLE'
  /** A source that could not be read now, taken from the last reading of it that succeeded: see takenAt and ageSeconds. */
  | 'REGION_FROM_SNAPSHOT'
  | 'ROUTE53_FROM_SNAPSHOT';

export interface SnapshotWarning {
  code: SnapshotWarningCode;
  message: string;
  region?: RegionCode;
  group?: string;
  service?: string;
  name?: string;
  zoneId?: string;
  /** The load metric a LOAD_ warning is about, e.g. "AWS/EC2 CPUUtilization (Average)". */
  metric?: string;
  /** An earlier reading used in place of one that failed: when it was taken, and how old it was then. */
  takenAt?: string;
  ageSeconds?: number;
  /** Why a source could not be read (an unreadable source's warning). */
  problem?: Problem;
}

export interface FleetSnapshot {
  takenAt: string;
  regions: RegionCode[];
  groups: ManagedGroup[];
  records: WeightedRecord[];
  capacity: ServiceCapacity[];
  traffic: TrafficShare[];
  warnings: SnapshotWarning[];
  /** Each service's measured demand over the last days, when the reading had load. */
  load?: SnapshotLoad;
}

/**
 * One service's demand as measured, per region and period, in one unit: a per-instance
 * metric (Average) times the instances in service ("instance-%" for CPUUtilization), or a
 * count (Sum) per second. The periods are those of SnapshotLoad, oldest first.
 */
export interface ServiceLoad {
  service: string;
  /** The metric as people name it, e.g. "AWS/EC2 CPUUtilization (Average)". */
  metric: string;
  statistic: LoadMetric['statistic'];
  /** The demand's unit, e.g. "instance-%" or "RequestCount/s". */
  unit: string;
  /** Per region (snapshot order): demand per period, null where not measured; null for a region without the service's groups or unreadable. */
  demand: Array<Array<number | null> | null>;
  /** Per region: what one instance should carry after a move (lifeboat:target-utilization); null where untagged. */
  targetUtilization: Array<number | null>;
  /** Per region: what one instance carries at full load, in the demand's unit (100 for a percent metric, capacity-per-instance for a count); null where unknown. */
  loadCapacity: Array<number | null>;
  /** Regions running the service whose CloudWatch could not be read: their demand is estimated from the others'. */
  unmeasured: RegionCode[];
  /** Why the measurement cannot size the service (the planner then falls back), when it cannot. */
  unusable?: string;
}

export interface SnapshotLoad {
  /** End of the last period (ISO): "now" for the demand figures. */
  endsAt: string;
  periodSeconds: number;
  periods: number;
  services: ServiceLoad[];
}
