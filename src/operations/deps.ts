import type { CloudPort } from '../cloud/ports';
import type { ModelCatalog } from '../config/load-models';
import type { Settings } from '../config/settings';
import type { PlanContext } from '../core/planner/plan-context';
import type { AuditLog } from '../jobs/audit-log';
import type { OperationEvents } from '../jobs/operation-events';
import type { OperationStore } from '../jobs/operation-store';
import type { RegionLeases } from '../jobs/region-leases';
import type { Clock } from './clock';
import type { SnapshotCache } from './snapshot-cache';

/** What the use cases need from the outside world, passed in by each entry point. */
export interface OperationDeps {
  cloud: CloudPort;
  models: ModelCatalog;
  settings: Settings;
  clock: Clock;
  store: OperationStore;
  leases: RegionLeases;
  audit: AuditLog;
  events: OperationEvents;
  /** The fleet for information requests, read at most once per LIFEBOAT_SNAPSHOT_CACHE_MS. */
  snapshots: SnapshotCache;
}

export function planContextOf(deps: Pick<OperationDeps, 'models' | 'settings'>): PlanContext {
  return {
    models: deps.models,
    defaultModel: deps.settings.LIFEBOAT_DEFAULT_MODEL,
    defaultStages: deps.settings.LIFEBOAT_DEFAULT_STAGES,
    maxSizeGrowth: deps.settings.LIFEBOAT_MAX_SIZE_GROWTH,
  };
}
