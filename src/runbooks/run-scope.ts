import type { ReadinessReport } from '../core/readiness';
import type { ExpressionScope } from '../core/runbooks/expressions';
import { scopeNamesRead, templateExpressions } from '../core/runbooks/expressions';
import { refreshReadiness } from '../operations/refresh-readiness';
import type { RunbookDeps } from './action-context';
import type { RunData } from './run-types';

/**
 * The scope runbook expressions see:
 * - `params`: the run's parameters;
 * - `steps.<id>.state`, `steps.<id>.outcome` (one line) and `steps.<id>.outputs`: what earlier steps did;
 * - `fleet` (read when an expression uses it): `regions`, `share[name][region]`,
 *   `regionShare[region]` (mean over names), `capacity[service][region].inService|desired|min|max`,
 *   `isEvacuated[region]` (true where lifeboat holds the region as evacuated or shifted);
 * - `readiness` (when used): `ready`, and `[region].ready`, `[region].minHeadroom`.
 */
export async function runScope(run: RunData, deps: RunbookDeps, needs: { fleet?: boolean; readiness?: boolean } = {}): Promise<ExpressionScope> {
  const scope: ExpressionScope = baseScope(run);
  if (needs.fleet || needs.readiness) {
    // Read now, as plans read: a region that does not answer comes from its last good reading.
    const snapshot = await deps.snapshots.get(0);
    if (needs.fleet) {
      const share: Record<string, Record<string, number>> = {};
      for (const t of snapshot.traffic) (share[t.name] ??= {})[t.region] = t.share;
      const names = Object.keys(share);
      const regionShare = Object.fromEntries(snapshot.regions.map((r) => [r, names.length ? names.reduce((a, n) => a + (share[n]![r] ?? 0), 0) / names.length : 0]));
      const capacity: Record<string, Record<string, unknown>> = {};
      for (const c of snapshot.capacity) (capacity[c.service] ??= {})[c.region] = { inService: c.inService, desired: c.desiredCapacity, min: c.minSize, max: c.maxSize };
      const evacuated = await deps.store.evacuatedRegions(snapshot.regions);
      const isEvacuated = Object.fromEntries(snapshot.regions.map((r) => [r, evacuated.includes(r)]));
      scope.fleet = { regions: snapshot.regions, share, regionShare, capacity, isEvacuated };
    }
    if (needs.readiness) {
      const report = await refreshReadiness(deps, snapshot);
      scope.readiness = { ready: report.ready, ...readinessByRegion(report) };
    }
  }
  return scope;
}

/** The scope without the fleet and readiness: `params` and `steps`, read from the run alone. */
export function baseScope(run: RunData): ExpressionScope {
  const steps: Record<string, { state: string; outcome: string; outputs: Record<string, unknown> }> = {};
  for (const s of run.checkpoint.steps) steps[s.stepId] = { state: s.state, outcome: s.outcome ?? '', outputs: s.outputs ?? {} };
  return { params: run.params, steps };
}

/** `[region].ready` and `[region].minHeadroom`, as runbook expressions and the readiness step see them. */
export function readinessByRegion(report: ReadinessReport): Record<string, { ready: boolean; minHeadroom: number | null }> {
  return Object.fromEntries(report.regions.map((r) => [r.region, { ready: r.ready, minHeadroom: r.minHeadroom }]));
}

interface ScopeNeeds {
  fleet: boolean;
  readiness: boolean;
}

/**
 * Which costly parts of the scope (an AWS fleet read, the readiness computation) these
 * expressions use: only where `fleet` or `readiness` is a top-level name, not a step id or text.
 */
export function needsOf(...expressions: string[]): ScopeNeeds {
  const names = new Set(expressions.flatMap((e) => [...scopeNamesRead(e)]));
  return { fleet: names.has('fleet'), readiness: names.has('readiness') };
}

/** What the ${...} templates in a step's inputs need; the literal text around them needs nothing. */
export function needsOfTemplates(inputs: unknown): ScopeNeeds {
  return needsOf(...templateExpressions(inputs));
}
