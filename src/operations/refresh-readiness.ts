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
export async function refreshReadiness(deps: Pick<OperationDeps, 'cloud' | 'models' | 'settings' | 'clock' | 'readinessReports'>, snapshot?: FleetSnapshot): Promise<ReadinessReport> {
  const report = computeReadiness(snapshot ?? (await takeSnapshot(deps.cloud)), planContextOf(deps), deps.clock.now().toISOString());
  await deps.readinessReports.save(report);
  return report;
}
