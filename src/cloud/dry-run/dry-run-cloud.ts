import { LifeboatError } from '../../core/errors';
import type { AutoScalingGroupReading, FleetReading, RegionCode, WeightedRecord } from '../../core/fleet';
import { normalizeDnsName } from '../../core/snapshot';
import { TAG_WARM_POOL, WARM_POOL_CREATED } from '../../core/fleet';
import { PIN_TAGS, pinTags } from '../../core/pins';
import type { ChangeStatus, CloudPort, GroupPin, GroupProcessUpdate, GroupRef, GroupSizeUpdate, InstanceRefreshReading, ReachabilityCheck, ScalingProblem, TrafficChange, WarmPoolUpdate, WeightUpdate } from '../ports';

type DryRunCall =
  | { action: 'setGroupSize'; update: GroupSizeUpdate }
  | { action: 'recordPins'; pins: GroupPin[] }
  | { action: 'erasePins'; groups: GroupRef[] }
  | { action: 'suspendProcesses' | 'resumeProcesses'; update: GroupProcessUpdate }
  | { action: 'setWarmPool'; update: WarmPoolUpdate }
  | { action: 'deleteWarmPool'; group: GroupRef }
  | { action: 'setWeights'; updates: Array<{ zoneId: string; name: string; type: string; setIdentifier: string; weight: number }> };

interface DryRunOptions {
  /** Time source for takenAt; defaults to the wall clock. */
  now?: () => Date;
}

/**
 * A cloud that lives in memory: it starts from a reading, applies every write to itself
 * (so reads show the world as it would be) and records each call. Instances come into
 * service at once and DNS changes are in sync at once. The free dry run, and the fleet
 * operations tests run against when they do not need AWS's timing.
 */
export class DryRunCloud implements CloudPort {
  readonly calls: DryRunCall[] = [];
  private state: FleetReading;
  private changeCounter = 0;
  private readonly now: () => Date;

  constructor(reading: FleetReading, options: DryRunOptions = {}) {
    this.state = structuredClone(reading);
    this.now = options.now ?? (() => new Date());
  }

  async readFleet(): Promise<FleetReading> {
    return { ...structuredClone(this.state), takenAt: this.now().toISOString() };
  }

  async probe(): Promise<ReachabilityCheck[]> {
    return [{ target: 'dry-run', service: 'dry-run', region: 'none', ok: true, ms: 0 }];
  }

  async setGroupSize(update: GroupSizeUpdate): Promise<void> {
    if (update.desiredCapacity > update.maxSize || update.minSize > update.desiredCapacity) {
      throw new LifeboatError(
        'LB_ERR_DESIRED_ABOVE_MAX',
        `${update.group} in ${update.region}: sizes must satisfy MinSize ≤ DesiredCapacity ≤ MaxSize (got ${update.minSize} ≤ ${update.desiredCapacity} ≤ ${update.maxSize})`,
        { ...update },
      );
    }
    const group = this.group(update.region, update.group, update.account);
    this.calls.push({ action: 'setGroupSize', update: { ...update } });
    group.minSize = update.minSize;
    group.maxSize = update.maxSize;
    group.desiredCapacity = update.desiredCapacity;
    const live = group.instances.filter((i) => i.lifecycleState !== 'Terminated');
    let serial = group.instances.length;
    while (live.length < update.desiredCapacity) {
      live.push({ instanceId: `i-dry-${update.group}-${serial++}`, availabilityZone: `${update.region}a`, lifecycleState: 'InService', healthStatus: 'Healthy' });
    }
    group.instances = live.slice(0, update.desiredCapacity);
  }

  async recordPins(pins: readonly GroupPin[]): Promise<void> {
    const groups = pins.map((p) => this.group(p.region, p.group, p.account));
    this.calls.push({ action: 'recordPins', pins: structuredClone([...pins]) });
    pins.forEach((p, i) => (groups[i]!.tags = { ...groups[i]!.tags, ...pinTags(p.pin) }));
  }

  async erasePins(refs: readonly GroupRef[]): Promise<void> {
    const groups = refs.map((r) => this.group(r.region, r.group, r.account));
    this.calls.push({ action: 'erasePins', groups: refs.map((r) => ({ ...r })) });
    for (const g of groups) g.tags = Object.fromEntries(Object.entries(g.tags).filter(([k]) => !(PIN_TAGS as readonly string[]).includes(k)));
  }

  async readGroups(region: RegionCode, groups: readonly string[], account?: string): Promise<AutoScalingGroupReading[]> {
    return this.state.groups.filter((g) => g.region === region && g.account === account && groups.includes(g.name)).map((g) => structuredClone(g));
  }

  async suspendProcesses(update: GroupProcessUpdate): Promise<void> {
    const group = this.group(update.region, update.group, update.account);
    this.calls.push({ action: 'suspendProcesses', update: { ...update, processes: [...update.processes] } });
    group.suspendedProcesses = [...new Set([...(group.suspendedProcesses ?? []), ...update.processes])].sort();
  }

  async resumeProcesses(update: GroupProcessUpdate): Promise<void> {
    const group = this.group(update.region, update.group, update.account);
    this.calls.push({ action: 'resumeProcesses', update: { ...update, processes: [...update.processes] } });
    const left = (group.suspendedProcesses ?? []).filter((p) => !update.processes.includes(p));
    if (left.length > 0) group.suspendedProcesses = left;
    else delete group.suspendedProcesses;
  }

  async readInstanceRefreshes(groups: readonly GroupRef[]): Promise<InstanceRefreshReading[]> {
    return groups.flatMap((ref) => {
      const g = this.state.groups.find((x) => x.region === ref.region && x.name === ref.group && x.account === ref.account);
      return g?.instanceRefresh ? [{ ...ref, ...g.instanceRefresh }] : [];
    });
  }

  /** The pool is warm at once: AWS's size rule, MaxGroupPreparedCapacity − DesiredCapacity and at least MinSize. */
  async setWarmPool(update: WarmPoolUpdate): Promise<void> {
    const group = this.group(update.region, update.group, update.account);
    this.calls.push({ action: 'setWarmPool', update: structuredClone(update) });
    if (update.created) group.tags = { ...group.tags, [TAG_WARM_POOL]: WARM_POOL_CREATED };
    const { minSize, maxGroupPreparedCapacity, poolState } = update.settings;
    group.warmPool = { size: Math.max(minSize, maxGroupPreparedCapacity - group.desiredCapacity), minSize, maxGroupPreparedCapacity, poolState };
  }

  async deleteWarmPool(ref: GroupRef): Promise<void> {
    const group = this.group(ref.region, ref.group, ref.account);
    this.calls.push({ action: 'deleteWarmPool', group: { ...ref } });
    delete group.warmPool;
    group.tags = Object.fromEntries(Object.entries(group.tags).filter(([k]) => k !== TAG_WARM_POOL));
  }

  async readScalingProblems(): Promise<ScalingProblem[]> {
    return [];
  }

  async setWeights(updates: readonly WeightUpdate[]): Promise<TrafficChange[]> {
    if (updates.length === 0) return [];
    const byZone = new Map<string, WeightUpdate[]>();
    for (const u of updates) byZone.set(u.record.zoneId, [...(byZone.get(u.record.zoneId) ?? []), u]);
    const changes: TrafficChange[] = [];
    for (const [zoneId, zoneUpdates] of byZone) {
      for (const u of zoneUpdates) {
        const rec = this.findRecord(u.record);
        if (!rec) {
          throw new LifeboatError('LB_ERR_AWS_REJECTED', `no ${u.record.type} record ${u.record.name} set ${u.record.setIdentifier} in zone ${zoneId}`, {
            zoneId,
            name: u.record.name,
          });
        }
        rec.weight = u.weight;
      }
      this.calls.push({
        action: 'setWeights',
        updates: zoneUpdates.map((u) => ({ zoneId, name: u.record.name, type: u.record.type, setIdentifier: u.record.setIdentifier, weight: u.weight })),
      });
      changes.push({ changeId: `dry-run-${++this.changeCounter}`, zoneId, records: zoneUpdates.length, status: 'INSYNC', submittedAt: this.now().toISOString() });
    }
    return changes;
  }

  async changeStatus(): Promise<ChangeStatus> {
    return 'INSYNC';
  }

  async readWeights(records: readonly WeightedRecord[]): Promise<Array<number | undefined>> {
    return records.map((r) => this.findRecord(r)?.weight);
  }

  private group(region: RegionCode, name: string, account?: string): AutoScalingGroupReading {
    const group = this.state.groups.find((g) => g.region === region && g.name === name && g.account === account);
    if (!group) throw new LifeboatError('LB_ERR_AWS_REJECTED', `no Auto Scaling group ${name} in ${region}`, { region, group: name });
    return group;
  }

  private findRecord(r: { zoneId: string; name: string; type: string; setIdentifier: string }) {
    const zone = this.state.zones.find((z) => z.zoneId === r.zoneId);
    return zone?.records.find(
      (x) => normalizeDnsName(x.name) === normalizeDnsName(r.name) && x.type === r.type && x.setIdentifier === r.setIdentifier,
    );
  }
}
