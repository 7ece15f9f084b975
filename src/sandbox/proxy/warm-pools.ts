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

/**
 * A DescribeAutoScalingGroups answer with WarmPoolSize stated for every group that has a warm
 * pool, as AWS states it (moto leaves it out, and a reader would then ask DescribeWarmPool
 * once per group: calls against Auto Scaling's quota AWS never makes them spend). `sizeOf`
 * gives the size for a group from its name and its own part of the answer.
 */
export function withWarmPoolSizes(xml: string, sizeOf: (group: string, groupXml: string) => number): string {
  if (!xml.includes('<WarmPoolConfiguration>')) return xml;
  // Each group's part starts at its AutoScalingGroupName (instances and tags in it name no group that way).
  const starts = [...xml.matchAll(/<AutoScalingGroupName>([^<]*)<\/AutoScalingGroupName>/g)].map((m) => ({ at: m.index, group: m[1]! }));
  let out = '';
  let from = 0;
  starts.forEach((s, i) => {
    const end = i + 1 < starts.length ? starts[i + 1]!.at : xml.length;
    const part = xml.slice(s.at, end);
    out += xml.slice(from, s.at);
    from = end;
    if (!part.includes('</WarmPoolConfiguration>') || part.includes('<WarmPoolSize>')) {
      out += part;
      return;
    }
    out += part.replace('</WarmPoolConfiguration>', `</WarmPoolConfiguration><WarmPoolSize>${sizeOf(s.group, part)}</WarmPoolSize>`);
  });
  return out + xml.slice(from);
}
