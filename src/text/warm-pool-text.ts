import type { WarmCoverage, WarmPoolChange } from '../core/planner/plan-types';
import type { ReadinessReport } from '../core/readiness';
import { formatTable } from './table';
import { timestamp } from './units';

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

/**
 * Dark capacity as the CLI shows it, from the N+1 readiness report: for each region that
 * could be lost, how much of each survivor's growth its warm pools would cover. Regions
 * whose loss no warm pool helps are named on one line; with no pools at all, how to make them.
 */
export function darkCapacityLines(report: ReadinessReport, intervalSeconds: number, refreshHow: string): string[] {
  const covered = report.regions.filter((r) => r.warmCoverage?.length);
  const lines = [`warm pools (dark capacity) if a region were lost; computed ${timestamp(report.computedAt)} (recomputed every ${intervalSeconds} s; ${refreshHow} for now)`];
  if (covered.length === 0) {
    lines.push('', 'no survivor has a warm pool: every evacuation would launch its growth cold.', 'lifeboat dark-capacity prepare --dry-run shows the pools that would cover the loss of the largest neighbour.');
    return lines;
  }
  for (const r of covered) lines.push('', `if ${r.region} were evacuated:`, warmCoverageTable(r.warmCoverage!));
  const uncovered = report.regions.filter((r) => !r.warmCoverage?.length).map((r) => r.region);
  if (uncovered.length) lines.push('', `no warm pool covers any growth if ${uncovered.join(' or ')} were evacuated.`);
  return lines;
}
