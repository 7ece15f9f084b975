import type { ReadinessReport } from '../../core/readiness';

/** The latest N+1 readiness report, shared by every process (the schedule writes it, readers serve it). */
export interface ReadinessReports {
  save(report: ReadinessReport): Promise<void>;
  latest(): Promise<ReadinessReport | undefined>;
}
