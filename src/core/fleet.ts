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

interface InstanceState {
  instanceId: string;
  availabilityZone?: string;
  /** Auto Scaling lifecycle state: Pending, InService, Terminating, Standby, ... */
  lifecycleState: string;
  /** Healthy or Unhealthy, as Auto Scaling reports it. */
  healthStatus: string;
}

/** Raw Auto Scaling group as read from AWS, before lifeboat interprets its tags. */
export interface AutoScalingGroupReading {
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
}

/** A managed Auto Scaling group, interpreted through the lifeboat tags. */
export interface ManagedGroup {
  region: RegionCode;
  name: string;
  service: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  /** Instances InService and Healthy: the capacity that really serves. */
  inService: number;
  /** Instances launching (Pending*), not yet serving. */
  pending: number;
  instances: InstanceState[];
  /** Requests per second one instance serves, from lifeboat:capacity-per-instance. */
  capacityPerInstance?: number;
  /** DNS name of the weighted record set that sends users to this group, from lifeboat:traffic. */
  trafficName?: string;
  tags: Record<string, string>;
}

/** A group's identity within the fleet, as a map key: group names are unique per region. */
export function groupKey(region: RegionCode, group: string): string {
  return `${region}\u0000${group}`;
}

/** A weighted record's identity, as a map key: its zone, name (normalized, as in a snapshot), type and set identifier. */
export function recordKey(r: { zoneId: string; name: string; type: string; setIdentifier: string }): string {
  return `${r.zoneId}\u0000${r.name}\u0000${r.type}\u0000${r.setIdentifier}`;
}

/** A weighted record whose SetIdentifier is a managed region: that region's weight for that name. */
export interface WeightedRecord {
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
}
