import { randomUUID } from 'node:crypto';
import type { CapacityLimit } from './proxy-profile';
import { awsTime, element } from './xml-text';

/**
 * Regions or zones that can deliver only so many more instances. Launches beyond the limit
 * fail as AWS's do: the instances never appear, and the group's scaling activities report
 * the failure with EC2's InsufficientInstanceCapacity in the status message.
 */

export interface FailedLaunch {
  region: string;
  group: string;
  availabilityZone: string;
  instanceType: string;
  /** Instances that could not be launched. */
  count: number;
  at: number;
  /** The group's size before the request and the desired capacity it asked for. */
  capacityBefore: number;
  desiredCapacity?: number;
}

export interface ScalingActivity {
  activityId: string;
  group: string;
  description: string;
  cause: string;
  startTime: number;
  endTime: number;
  statusMessage: string;
  details: string;
}

function insufficientCapacityMessage(instanceType: string, availabilityZone: string): string {
  return (
    `We currently do not have sufficient ${instanceType} capacity in the Availability Zone you requested (${availabilityZone}). ` +
    'Our system will be working on provisioning additional capacity. Launching EC2 instance failed. ' +
    `(Service: AmazonEC2; Status Code: 500; Error Code: InsufficientInstanceCapacity; Request ID: ${randomUUID()})`
  );
}

function failedLaunchActivity(f: FailedLaunch): ScalingActivity {
  const statusMessage = insufficientCapacityMessage(f.instanceType, f.availabilityZone);
  const asked = f.desiredCapacity !== undefined ? ` changing the desired capacity from ${f.capacityBefore} to ${f.desiredCapacity}` : '';
  const target = f.desiredCapacity ?? f.capacityBefore + f.count;
  return {
    activityId: randomUUID(),
    group: f.group,
    description: `Launching a new EC2 instance.  Status Reason: ${statusMessage}`,
    cause:
      `At ${awsTime(f.at)} a user request update of AutoScalingGroup constraints${asked}.  ` +
      `At ${awsTime(f.at)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${f.capacityBefore} to ${target}; ${f.count} instance(s) could not be launched.`,
    startTime: f.at,
    endTime: f.at,
    statusMessage,
    details: JSON.stringify({ 'Availability Zone': f.availabilityZone }),
  };
}

function activityXml(a: ScalingActivity): string {
  return (
    '<member>' +
    element('ActivityId', a.activityId) +
    element('AutoScalingGroupName', a.group) +
    element('Description', a.description) +
    element('Cause', a.cause) +
    element('StartTime', awsTime(a.startTime)) +
    element('EndTime', awsTime(a.endTime)) +
    element('StatusCode', 'Failed') +
    element('StatusMessage', a.statusMessage) +
    element('Progress', 100) +
    element('Details', a.details) +
    '</member>'
  );
}

/** DescribeScalingActivities' answer with `activities` (newest first) ahead of moto's own. */
export function injectActivities(xml: string, activities: readonly ScalingActivity[]): string {
  if (activities.length === 0) return xml;
  const members = activities.map(activityXml).join('');
  if (xml.includes('<Activities/>')) return xml.replace('<Activities/>', `<Activities>${members}</Activities>`);
  return xml.replace('<Activities>', `<Activities>${members}`);
}

export class CapacityFaults {
  private limits: CapacityLimit[] = [];
  private delivered: number[] = [];
  /** Failed activities per "region/group", oldest first. */
  private readonly activities = new Map<string, ScalingActivity[]>();

  /** Sets the limits, counting new instances from zero. */
  arm(limits: readonly CapacityLimit[]): void {
    this.limits = [...limits];
    this.delivered = limits.map(() => 0);
  }

  /** Whether an instance in this zone may be launched now; counts it against every limit that applies. */
  tryDeliver(region: string, availabilityZone: string | undefined): boolean {
    const applicable = this.limits
      .map((l, i) => ({ l, i }))
      .filter(({ l }) => l.region === region && (l.availabilityZone === undefined || l.availabilityZone === availabilityZone));
    if (applicable.some(({ l, i }) => this.delivered[i]! >= l.maxNewInstances)) return false;
    for (const { i } of applicable) this.delivered[i] = this.delivered[i]! + 1;
    return true;
  }

  recordFailure(failure: FailedLaunch): ScalingActivity {
    const activity = failedLaunchActivity(failure);
    const key = `${failure.region}/${failure.group}`;
    this.activities.set(key, [...(this.activities.get(key) ?? []), activity]);
    return activity;
  }

  /** Failed activities of a group (or of every group in the region), newest first, at most `max`. */
  failedActivities(region: string, group: string | undefined, max: number): ScalingActivity[] {
    const all = group !== undefined ? (this.activities.get(`${region}/${group}`) ?? []) : [...this.activities.entries()].filter(([k]) => k.startsWith(`${region}/`)).flatMap(([, a]) => a);
    return [...all].sort((a, b) => b.startTime - a.startTime).slice(0, Math.max(0, max));
  }

  state(): Array<CapacityLimit & { delivered: number }> {
    return this.limits.map((l, i) => ({ ...l, delivered: this.delivered[i]! }));
  }
}
