import type { InstanceMember, InstanceView } from './auto-scaling-xml';

/**
 * What the proxy knows about instances moto created after a capacity increase: when each
 * will be InService (it reports Pending until then: launch + warm-up, fixed when the launch
 * starts, as a launch under way keeps its pace whatever is configured later) or that it is
 * missing (a capacity fault: AWS could not launch it, so it is not shown at all).
 * Instances the ledger does not know are shown as moto reports them.
 */

interface MissingInstance {
  instanceId: string;
  region: string;
  group: string;
  availabilityZone?: string;
  instanceType?: string;
  /** When AWS first failed to launch it. */
  since: number;
}

export class InstanceLedger {
  private readonly readyAt = new Map<string, number>();
  private readonly missing = new Map<string, MissingInstance>();

  /** The instance started launching and will be InService at `readyAt`. */
  markLaunching(instanceId: string, readyAt: number): void {
    this.missing.delete(instanceId);
    this.readyAt.set(instanceId, readyAt);
  }

  markMissing(instance: MissingInstance): void {
    this.readyAt.delete(instance.instanceId);
    this.missing.set(instance.instanceId, instance);
  }

  isMissing(instanceId: string): boolean {
    return this.missing.has(instanceId);
  }

  /**
   * `survivor` (a missing instance moto kept) takes the place of `removed` (a shown instance
   * moto terminated on a scale-in): AWS cancels launches that have not happened before it
   * terminates running instances, so the group keeps showing what it ran.
   */
  inherit(survivor: string, removed: string): void {
    this.missing.delete(survivor);
    const at = this.readyAt.get(removed);
    if (at !== undefined) this.readyAt.set(survivor, at);
    this.readyAt.delete(removed);
  }

  forget(instanceId: string): void {
    this.readyAt.delete(instanceId);
    this.missing.delete(instanceId);
  }

  /** How to show an instance at `now`; `held`: a launch lifecycle hook keeps launching instances in Pending:Wait. */
  view(member: InstanceMember, now: number, held = false): InstanceView {
    if (this.missing.has(member.instanceId)) return { hidden: true };
    const at = this.readyAt.get(member.instanceId);
    if (at === undefined || now >= at) return undefined;
    if (member.lifecycleState !== undefined && member.lifecycleState !== 'InService') return undefined;
    return { lifecycleState: held ? 'Pending:Wait' : 'Pending' };
  }

  /** Counts for the admin state. */
  summary(now: number): { launching: number; missing: number } {
    let launching = 0;
    for (const at of this.readyAt.values()) if (now < at) launching += 1;
    return { launching, missing: this.missing.size };
  }
}
