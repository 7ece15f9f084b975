import type { FleetSnapshot } from '../core/fleet';
import { computeReadiness } from '../core/readiness';
import type { ReadinessReport } from '../core/readiness';
import type { OperationDeps } from './deps';
import { planContextOf } from './deps';
import { takeSnapshot } from './fleet-snapshot';

/**
 * N+1 readiness now, kept as the latest report: computed from a fresh snapshot, or from the
 * one the caller has just taken (a runbook scope that reads the fleet too).
 */
export async function refreshReadiness(
  deps: Pick<OperationDeps, 'cloud' | 'models' | 'settings' | 'clock' | 'readinessReports'> & Partial<Pick<OperationDeps, 'snapshots'>>,
  snapshot?: FleetSnapshot,
): Promise<ReadinessReport> {
  // A fresh read on the plan path (within its deadline, a failing region from its last good reading) when there is one.
  const fleet = snapshot ?? (deps.snapshots ? await deps.snapshots.get(0) : await takeSnapshot(deps.cloud));
  const report = computeReadiness(fleet, planContextOf(deps), deps.clock.now().toISOString());
  await deps.readinessReports.save(report);
  return report;
}
