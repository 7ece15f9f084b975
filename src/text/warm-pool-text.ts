import type { WarmCoverage, WarmPoolChange } from '../core/planner/plan-types';
import { formatTable } from './table';

/** Warm pools in a plan: what covers each survivor's growth, and the pools a dark-capacity operation sets. */

/** Per survivor that grows: how many of its new instances come warm from its pools, how many launch cold. */
export function warmCoverageTable(coverage: readonly WarmCoverage[]): string {
  return formatTable(
    ['service', 'region', 'growth', 'from warm pool', 'cold launch'],
    coverage.map((c) => [c.service, c.region, c.growth, c.warm, c.cold]),
  );
}

/** The warm pools an operation sets (min, prepared, state) or deletes, and for which neighbour's loss each is sized. */
export function warmPoolTable(changes: readonly WarmPoolChange[]): string {
  const accounts = changes.some((c) => c.account !== undefined);
  const before = (c: WarmPoolChange) => (c.from ? `min ${c.from.minSize ?? 0}, ${c.from.size} warm` : 'none');
  const after = (c: WarmPoolChange) => (c.to ? `min ${c.to.minSize}, prepared ≤ ${c.to.maxGroupPreparedCapacity}, ${c.to.poolState}` : 'deleted');
  return formatTable(
    [...(accounts ? ['account'] : []), 'region', 'group', 'service', 'warm pool now', 'warm pool after', 'sized for the loss of'],
    changes.map((c) => [...(accounts ? [c.account ?? '-'] : []), c.region, c.group, c.service, before(c), after(c), c.forLossOf ? `${c.forLossOf} (+${c.growth})` : '']),
  );
}
