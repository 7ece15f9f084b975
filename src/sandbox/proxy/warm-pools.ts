import { tagText } from './xml-text';

/**
 * Warm pools as the proxy models them (moto stores a pool's settings but never puts
 * instances in it). A pool holds AWS's size: MaxGroupPreparedCapacity (MaxSize when unset)
 * minus DesiredCapacity, at least MinSize. When a scale-out takes instances from it, they come
 * InService after the profile's warm delay, and each place they leave is refilled by a cold
 * launch: it counts as warm again only once that launch would be done.
 */

export interface WarmPoolSettings {
  minSize: number;
  /** Absent (or negative): MaxSize. */
  maxGroupPreparedCapacity?: number;
}

/** The warm pool settings in a DescribeAutoScalingGroups or DescribeWarmPool answer, if it has any. */
export function warmPoolSettingsIn(xml: string): WarmPoolSettings | undefined {
  const block = tagText(xml, 'WarmPoolConfiguration');
  if (block === undefined || block.trim() === '') return undefined;
  const prepared = Number(tagText(block, 'MaxGroupPreparedCapacity') ?? Number.NaN);
  return { minSize: Number(tagText(block, 'MinSize') ?? 0) || 0, ...(Number.isFinite(prepared) && prepared >= 0 ? { maxGroupPreparedCapacity: prepared } : {}) };
}

/** AWS's warm pool size for a group at these sizes. */
export function warmPoolSize(settings: WarmPoolSettings, group: { desiredCapacity: number; maxSize: number }): number {
  const prepared = settings.maxGroupPreparedCapacity ?? group.maxSize;
  return Math.max(settings.minSize, prepared - group.desiredCapacity, 0);
}

/** Per group, when each instance taken from its pool will have been replaced by a cold launch. */
export class WarmPoolLedger {
  private readonly refills = new Map<string, number[]>();

  /** Warm instances ready now in a pool of `size`. */
  available(group: string, size: number, now: number): number {
    const pending = (this.refills.get(group) ?? []).filter((at) => at > now);
    this.refills.set(group, pending);
    return Math.max(0, size - pending.length);
  }

  /** `count` warm instances leave the pool now; each place is warm again at `refilledAt`. */
  take(group: string, count: number, refilledAt: number): void {
    if (count <= 0) return;
    this.refills.set(group, [...(this.refills.get(group) ?? []), ...Array.from({ length: count }, () => refilledAt)]);
  }

  /** A deleted pool forgets its refills. */
  forget(group: string): void {
    this.refills.delete(group);
  }
}
