import type { AutoScalingGroupReading, FleetReading, RegionCode, WeightedRecord } from '../core/fleet';
import type { PinRecord } from '../core/pins';
import type { AlarmState, SwitchDesign, SwitchReading } from '../core/switches';
import type { WarmPoolSettings } from '../core/planner/plan-types';

/**
 * The cloud port: what lifeboat needs from a cloud, in its own words. One AWS adapter
 * (src/cloud/aws) and one dry-run adapter (src/cloud/dry-run) implement it; operations
 * only ever see these interfaces. Every write takes absolute values, so repeating one is
 * harmless, and every write has a read that verifies it.
 */

/** Absolute sizes for one Auto Scaling group. */
export interface GroupSizeUpdate {
  region: RegionCode;
  group: string;
  /** The group's account, when lifeboat manages several (LIFEBOAT_ACCOUNTS); its own otherwise. */
  account?: string;
  minSize: number;
  desiredCapacity: number;
  maxSize: number;
  /**
   * Record on the group, before resizing it, that lifeboat pins it (core/pins.ts): AWS keeps
   * what Redis may lose. setGroupSize does not write it: the step writes every pin it holds
   * with recordPins first (operations/steps/group-sizes.ts writeSizes).
   */
  pin?: PinRecord;
  /** Remove that record once the group is resized (erasePins, after every resize): lifeboat lets go of it. */
  release?: boolean;
}

/** A pin record (core/pins.ts) to write on one group. */
export interface GroupPin {
  region: RegionCode;
  group: string;
  account?: string;
  pin: PinRecord;
}

/** Auto Scaling processes to suspend or resume on one group (ScheduledActions, ...). */
export interface GroupProcessUpdate {
  region: RegionCode;
  group: string;
  account?: string;
  processes: readonly string[];
}

/** A group named across accounts: where to look for it. */
export interface GroupRef {
  region: RegionCode;
  group: string;
  account?: string;
}

/** Absolute warm pool settings for one group. */
export interface WarmPoolUpdate extends GroupRef {
  settings: WarmPoolSettings;
  /** lifeboat creates this pool: tag the group lifeboat:warm-pool=created before, so only such pools are ever deleted. */
  created: boolean;
}

/** An instance refresh under way on a group: it replaces instances while traffic moves. */
export interface InstanceRefreshReading extends GroupRef {
  id: string;
  status: string;
  percentageComplete?: number;
}

/** A weighted record (as read into the snapshot) with the weight it should now have. */
export interface WeightUpdate {
  record: WeightedRecord;
  weight: number;
}

export type ChangeStatus = 'PENDING' | 'INSYNC';

/** One submitted Route 53 change batch. */
export interface TrafficChange {
  changeId: string;
  zoneId: string;
  /** How many record sets the batch upserted. */
  records: number;
  status: ChangeStatus;
  submittedAt?: string;
}

/** Why a group is not getting its instances, from its recent scaling activities. */
export interface ScalingProblem {
  region: RegionCode;
  group: string;
  /** e.g. InsufficientInstanceCapacity, as AWS states it. */
  reason: string;
  message: string;
  at?: string;
}

/** Whether one AWS endpoint answers (GET /v1/status, the lifeboat_aws_endpoint_up metric). */
export interface ReachabilityCheck {
  /** service:region, or the service alone for a global one (route53). */
  target: string;
  service: string;
  region: string;
  ok: boolean;
  error?: string;
  /** How long it took to answer (or to give up). */
  ms?: number;
}

/** How a fleet read for a plan is bounded (the plan path); steps read without these. */
export interface FleetReadOptions {
  /** Each source (a region's Auto Scaling, Route 53) answers within this or counts as unreadable. */
  deadlineMs?: number;
  /** Route 53 that cannot be read: an error (the default), or a ROUTE53_UNREADABLE warning for the caller to deal with. */
  route53Failure?: 'throw' | 'warn';
}

export interface FleetReader {
  /** One cheap call per endpoint lifeboat needs, with a short deadline; never throws. */
  probe(timeoutMs: number): Promise<ReachabilityCheck[]>;
  /**
   * Every managed region's Auto Scaling groups tagged lifeboat:service, and the weighted
   * records of every hosted zone tagged lifeboat:managed=true. A region that cannot be
   * read becomes a REGION_UNREADABLE warning (its AWS endpoint may be what is failing);
   * Route 53 that cannot be read is an error (or a warning, when asked). Each region is
   * read on its own, within `deadlineMs` when given.
   */
  readFleet(options?: FleetReadOptions): Promise<FleetReading>;
}

interface CapacityProvider {
  /** Set absolute sizes; refuses desired > max (LB_ERR_DESIRED_ABOVE_MAX) before any call. Writes no pin: see recordPins. */
  setGroupSize(update: GroupSizeUpdate): Promise<void>;
  /**
   * Record the pins of many groups in as few requests as AWS allows (each tag names its
   * group; per region and account). Resolves once every record is written: a group is never
   * resized before its pin is recorded. Absolute values: writing a record twice is harmless.
   */
  recordPins(pins: readonly GroupPin[]): Promise<void>;
  /** Remove the pin records of many groups, batched the same way: after they are resized, when lifeboat lets go. */
  erasePins(groups: readonly GroupRef[]): Promise<void>;
  /**
   * Current sizes and instances of the named groups in one region (and account): read-back
   * and awaiting. InService instances whose EC2 status checks are impaired are marked so,
   * unless `sizesOnly` (a write and its read-back need the sizes and tags, not the instances'
   * health: one EC2 call less before the write).
   */
  readGroups(region: RegionCode, groups: readonly string[], account?: string, options?: { sizesOnly?: boolean }): Promise<AutoScalingGroupReading[]>;
  /** Failed or cancelled scaling activities since `since` (ISO time), newest first. */
  readScalingProblems(region: RegionCode, groups: readonly string[], since: string, account?: string): Promise<ScalingProblem[]>;
  /** Suspend processes on a group (lifeboat suspends ScheduledActions on the groups it pins). */
  suspendProcesses(update: GroupProcessUpdate): Promise<void>;
  /** Resume processes on a group: only ever those lifeboat suspended. */
  resumeProcesses(update: GroupProcessUpdate): Promise<void>;
  /** Instance refreshes under way on the named groups (one call per group: asked for the groups a plan grows or loads). */
  readInstanceRefreshes(groups: readonly GroupRef[]): Promise<InstanceRefreshReading[]>;
  /** PutWarmPool with absolute settings (readGroups shows them back, with the tag). */
  setWarmPool(update: WarmPoolUpdate): Promise<void>;
  /** Delete a group's warm pool and its lifeboat:warm-pool tag: only ever one lifeboat created. */
  deleteWarmPool(group: GroupRef): Promise<void>;
}

interface TrafficRouter {
  /**
   * Upsert weights, batched per hosted zone within Route 53's limits (1,000 records a
   * request, an UPSERT counting twice). Returns one change per batch submitted.
   */
  setWeights(updates: readonly WeightUpdate[]): Promise<TrafficChange[]>;
  /** Whether a submitted change has reached every Route 53 name server. */
  changeStatus(changeId: string): Promise<ChangeStatus>;
  /** Read the current weights back (undefined where the record is gone). */
  readWeights(records: readonly WeightedRecord[]): Promise<Array<number | undefined>>;
}

export type CloudPort = FleetReader & CapacityProvider & TrafficRouter;

/** A weighted record and the health check it should carry (the region switch's). */
export interface HealthCheckAttachment {
  record: WeightedRecord;
  healthCheckId: string;
}

/**
 * The region switches' side of the cloud (core/switches.ts): CloudWatch alarms in the control
 * regions, Route 53 health checks that follow them, and the health check on each weighted
 * record. Turning a switch needs CloudWatch only, never Route 53's change API.
 */
export interface SwitchBoard {
  /** Where the switches' alarms live (LIFEBOAT_SWITCH_REGIONS). */
  readonly controlRegions: readonly RegionCode[];
  /** The named alarms (a control region that cannot be read is listed as unreadable) and every CLOUDWATCH_METRIC health check. */
  readSwitches(designs: readonly SwitchDesign[]): Promise<Omit<SwitchReading, 'records'>>;
  /** Create or overwrite the alarm as designed (PutMetricAlarm takes the whole alarm: repeating it is harmless). */
  putSwitchAlarm(design: SwitchDesign): Promise<void>;
  /** The health check that follows the design's alarm: found by its CallerReference, or created with it. Returns its id. */
  ensureSwitchHealthCheck(design: SwitchDesign): Promise<string>;
  /** UPSERT each record with its health check (Route 53's change API). */
  attachHealthChecks(attachments: readonly HealthCheckAttachment[]): Promise<TrafficChange[]>;
  /**
   * Turn a switch through CloudWatch only: the metric (1 on, 0 off), then SetAlarmState (OK
   * or ALARM) so Route 53 sees it without waiting for the alarm's period; returns the alarm
   * state read back afterwards.
   */
  turnSwitch(design: SwitchDesign, position: 'on' | 'off', reason: string): Promise<AlarmState | undefined>;
}
