import type { CloudPort, SwitchBoard } from '../cloud/ports';
import type { ActivitySource } from './activity';
import type { ModelCatalog } from '../core/models/capacity-model';
import type { PlanContext } from '../core/planner/plan-context';
import type { OperationData } from './operation-types';
import type { AuditLog } from './ports/audit-log';
import type { Clock } from './ports/clock';
import type { OperationEvents } from './ports/operation-events';
import type { OperationStore } from './ports/operation-store';
import type { ReadinessReports } from './ports/readiness-reports';
import type { RegionLeases } from './ports/region-leases';
import type { WorkQueue } from './ports/work-queue';
import type { Settings } from './settings';
import type { SnapshotCache } from './snapshot-cache';
import type { LastGoodReadings } from './ports/last-good-readings';

/** What the use cases need from the outside world: ports, wired by the composition root (src/app). */
export interface OperationDeps {
  cloud: CloudPort;
  models: ModelCatalog;
  settings: Settings;
  clock: Clock;
  store: OperationStore;
  leases: RegionLeases;
  audit: AuditLog;
  events: OperationEvents;
  /** The latest N+1 readiness report. */
  readinessReports: ReadinessReports;
  /** The fleet for information requests, read at most once per LIFEBOAT_SNAPSHOT_CACHE_MS. */
  snapshots: SnapshotCache;
  /** The last good reading of each fleet source (what a plan uses for a region that cannot be read). */
  lastGood?: LastGoodReadings;
  /** The region switches (CloudWatch alarms, Route 53 health checks); absent for a cloud that is not AWS. */
  switches?: SwitchBoard;
}

/** What the surfaces' use cases need: the operation deps plus the queue they submit to. */
export interface LifeboatDeps extends OperationDeps {
  queue: WorkQueue<OperationData>;
  /** Where operations and runbook runs are found by id (see activity.ts). */
  activities: readonly ActivitySource[];
}

export function planContextOf(deps: Pick<OperationDeps, 'models' | 'settings'>): PlanContext {
  return {
    models: deps.models,
    defaultModel: deps.settings.LIFEBOAT_DEFAULT_MODEL,
    defaultStages: deps.settings.LIFEBOAT_DEFAULT_STAGES,
    maxSizeGrowth: deps.settings.LIFEBOAT_MAX_SIZE_GROWTH,
    timing: {
      capacitySeconds: deps.settings.LIFEBOAT_CAPACITY_TIMEOUT,
      stageSeconds: 60,
      ...(deps.settings.LIFEBOAT_DWELL !== undefined ? { dwellSeconds: deps.settings.LIFEBOAT_DWELL } : {}),
    },
  };
}
