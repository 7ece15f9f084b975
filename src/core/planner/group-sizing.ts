import type { ManagedGroup } from '../fleet';
import { accountOf } from '../fleet';
import { groupCeiling } from './fleet-index';
import type { GroupChange, GroupSize } from './plan-types';

/**
 * Spread a region's target over the service's groups there. Groups never shrink; the
 * extra goes in proportion to what each runs (equally when none runs anything), and no
 * group goes past its ceiling.
 *
 * Worked example: groups a (desired 6, max 10) and b (desired 2, max 20), target 16:
 * extra 8 splits 6:2 → a +6, b +2 → a would be 12 > 10, so a stops at 10 and b takes the
 * other 2 → a 10, b 6.
 */
export function distributeAcrossGroups(groups: readonly ManagedGroup[], target: number, maxSizeGrowth: number): number[] {
  const current = groups.map((g) => g.desiredCapacity);
  let extra = target - current.reduce((a, b) => a + b, 0);
  if (extra <= 0) return current;
  const desired = [...current];
  const room = groups.map((g, i) => groupCeiling(g, maxSizeGrowth) - desired[i]!);
  const byCurrent = current.some((c) => c > 0);
  let open = groups.map((_, i) => i).filter((i) => room[i]! > 0);
  while (extra > 0 && open.length > 0) {
    const weight = open.reduce((a, i) => a + (byCurrent ? current[i]! : 1), 0) || open.length;
    const portions = open.map((i) => ({ i, x: (extra * (byCurrent ? current[i]! || 0 : 1)) / weight }));
    // Whole instances: floors first, the rest one by one to the largest remainders.
    const whole = portions.map(({ i, x }) => ({ i, n: Math.min(room[i]!, Math.floor(x)), rem: x - Math.floor(x) }));
    let given = whole.reduce((a, w) => a + w.n, 0);
    for (const w of [...whole].sort((a, b) => b.rem - a.rem)) {
      if (given >= extra) break;
      if (w.n < room[w.i]!) {
        w.n++;
        given++;
      }
    }
    for (const w of whole) {
      desired[w.i]! += w.n;
      room[w.i]! -= w.n;
      extra -= w.n;
    }
    open = open.filter((i) => room[i]! > 0);
  }
  return desired;
}

/**
 * Sizes that hold a group at `desired` during an operation: MinSize rises with it so the
 * group's own scaling policies cannot undo it, MaxSize only as far as `desired` needs.
 */
export function prescaleSize(group: ManagedGroup, desired: number): GroupSize {
  return {
    minSize: Math.max(group.minSize, desired),
    desiredCapacity: desired,
    maxSize: Math.max(group.maxSize, desired),
  };
}

export function sizeOf(group: { minSize: number; desiredCapacity: number; maxSize: number }): GroupSize {
  return { minSize: group.minSize, desiredCapacity: group.desiredCapacity, maxSize: group.maxSize };
}

export function sameSize(a: GroupSize, b: GroupSize): boolean {
  return a.minSize === b.minSize && a.desiredCapacity === b.desiredCapacity && a.maxSize === b.maxSize;
}

export function groupChange(group: ManagedGroup, to: GroupSize): GroupChange | undefined {
  const from = sizeOf(group);
  if (sameSize(from, to)) return undefined;
  return { ...accountOf(group), region: group.region, group: group.name, service: group.service, from, to };
}
