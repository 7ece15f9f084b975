import type { RegionCode } from '../../core/fleet';

type AuditOutcome = 'accepted' | 'refused' | 'attempted' | 'succeeded' | 'failed' | 'denied';

export interface AuditEntry {
  at: string;
  actor: string;
  /** What was done: operation.submit, operation.cancel, run.start, run.approve, run.trigger, aws.recordPins, aws.setGroupSize, aws.erasePins, aws.setWeights, auth.denied. */
  action: string;
  outcome: AuditOutcome;
  operationId?: string;
  regions?: RegionCode[];
  /** What was asked, secrets redacted. */
  inputs?: unknown;
  /** SHA-256 of the plan the change carries out. */
  planHash?: string;
  error?: { code: string; message: string };
  /** Links an AWS mutation's "attempted" record to the record of its outcome. */
  mutationId?: string;
  requestId?: string;
}

export interface AuditRecord extends AuditEntry {
  id: string;
  /** For an AWS mutation: when its outcome was recorded (absent: attempted, outcome unknown). */
  completedAt?: string;
}

export interface AuditQuery {
  from?: Date;
  to?: Date;
  actor?: string;
  operationId?: string;
  region?: RegionCode;
  action?: string;
  limit?: number;
}

/**
 * The audit trail: one entry per state-changing request and two per AWS mutation (written
 * before the call, and after it with the outcome, so a crash leaves an "attempted" record
 * rather than a silent change).
 */
export interface AuditLog {
  append(entry: AuditEntry): Promise<string>;
  /** Newest first; an AWS mutation's two entries come back as one record with its outcome. */
  query(q: AuditQuery): Promise<AuditRecord[]>;
}
