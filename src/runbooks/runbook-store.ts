export interface Approval {
  decision: 'approve' | 'reject';
  by: string;
  at: string;
  comment?: string;
}

/** What runbook runs keep besides their jobs: approvals, step durations (the stuck flag) and trigger claims. */
export interface RunbookStore {
  /** First decision wins; a second one for the same step changes nothing. */
  decide(runId: string, stepId: string, approval: Approval): Promise<boolean>;
  approvalOf(runId: string, stepId: string): Promise<Approval | undefined>;
  recordDuration(runbook: string, stepId: string, ms: number): Promise<void>;
  durations(runbook: string, stepId: string): Promise<number[]>;
  /** Claim the right to trigger a runbook now; false when it ran less than `minIntervalSeconds` ago. */
  claimTrigger(runbook: string, minIntervalSeconds: number): Promise<{ claimed: boolean; retryAfterSeconds: number }>;
  /** Use a trigger id (X-Lifeboat-Trigger-Id); false when it was used in the last `ttlSeconds`. */
  claimTriggerId(triggerId: string, ttlSeconds: number): Promise<boolean>;
}
