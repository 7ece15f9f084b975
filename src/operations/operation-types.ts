import { z } from 'zod';
import type { Problem } from '../core/errors';
import type { FleetSnapshot, RegionCode } from '../core/fleet';
import type { IntentRequest } from '../core/intents';
import { checkScaleSizes, intentShapes } from '../core/intents';
import type { Plan } from '../core/planner/plan-types';
import type { Relief } from '../core/relief';
import type { CallCounts, CallSummary } from '../cloud/call-tally';
import type { OperationState } from './operation-states';

/** How an operation is carried out, on top of what it does (the intent). */
const operationOptionsShape = {
  /** Carry out a plan whose only blockers are shortfalls; recorded on the operation. */
  force: z.boolean().optional(),
  /** Return the plan; change nothing. */
  dryRun: z.boolean().optional(),
  /** When capacity does not come in time: stop, or move only what the capacity obtained can serve. */
  onCapacityTimeout: z.enum(['abort', 'partial']).optional(),
  capacityTimeoutSeconds: z.number().min(1).max(86400).optional(),
  /** A group is ready when InService ≥ target × readiness. */
  readiness: z.number().gt(0).max(1).optional(),
  /** Wait after each stage; by default the record TTL. */
  dwellSeconds: z.number().min(0).max(3600).optional(),
  /** Why: kept with the operation for the audit trail. */
  reason: z.string().max(1000).optional(),
  /** When it fails or is cancelled: let go of the groups it pinned (unpin), or leave them pinned and say so (keep). */
  onFailure: z.enum(['unpin', 'keep']).optional(),
};

/** An operation request: an intent plus how to carry it out, one flat JSON object. */
export const operationRequestSchema = z.discriminatedUnion('kind', [
  z.object({ ...intentShapes.evacuate, ...operationOptionsShape }).strict(),
  z.object({ ...intentShapes.shift, ...operationOptionsShape }).strict(),
  z.object({ ...intentShapes.restore, ...operationOptionsShape }).strict(),
  z.object({ ...intentShapes.scale, ...operationOptionsShape }).strict().superRefine(checkScaleSizes),
  z.object({ ...intentShapes.reconcile, ...operationOptionsShape }).strict(),
  z.object({ ...intentShapes['prepare-switches'], ...operationOptionsShape }).strict(),
  z.object({ ...intentShapes['prepare-dark-capacity'], ...operationOptionsShape }).strict(),
  z.object({ ...intentShapes['release-dark-capacity'], ...operationOptionsShape }).strict(),
]);

export type OperationRequest = z.infer<typeof operationRequestSchema>;
type OperationOptions = Pick<OperationRequest, keyof typeof operationOptionsShape>;
type OperationKind = OperationRequest['kind'];

/** Split a request into the intent the planner takes and the options the runner takes. */
export function splitRequest(request: OperationRequest): { intent: IntentRequest; options: OperationOptions } {
  const intent: Record<string, unknown> = {};
  const options: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(request)) {
    if (v === undefined) continue;
    (k in operationOptionsShape ? options : intent)[k] = v;
  }
  return { intent: intent as IntentRequest, options: options as OperationOptions };
}

export { FINISHED_STATES, OPERATION_STATES } from './operation-states';
export type { OperationState } from './operation-states';

export type StepKind =
  | 'guard'
  | 'prescale'
  | 'await-capacity'
  | 'follow-capacity'
  | 'apply-weights'
  | 'await-dns'
  | 'dwell'
  | 'verify'
  | 'finalize'
  | 'rollback-switch'
  | 'rollback-weights'
  | 'rollback-dns'
  | 'rollback-capacity'
  | 'release-pins'
  | 'prepare-switches'
  | 'switch-on'
  | 'set-warm-pools';

export type StepState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface StepRecord {
  id: string;
  kind: StepKind;
  /** Stage number for stage steps. */
  stage?: number;
  title: string;
  state: StepState;
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  /** One line a human reads: what the step found or did. */
  outcome?: string;
  /** Data the step leaves for later steps or for the report (change ids, counts). */
  detail?: Record<string, unknown>;
  error?: Problem;
}

export interface CapacityProgress {
  account?: string;
  region: RegionCode;
  group: string;
  service: string;
  inService: number;
  target: number;
}

export interface Progress {
  step: string;
  message: string;
  at: string;
  capacity?: CapacityProgress[];
  weights?: Array<{ name: string; region: RegionCode; weight: number }>;
}

export interface CancelRequest {
  at: string;
  by: string;
  rollback: boolean;
}

/** After a fallback: one service in one region, the share it now gets and whether what runs in service serves it. */
export interface ServedRegion {
  service: string;
  region: RegionCode;
  share: number;
  inService: number;
  /** Instances the share needs (headroom included). */
  needed: number;
  served: boolean;
}

/** What a stage's fallback did: the pins it put back, the weights it set, what they serve, what stays. */
export interface StageFallback {
  stage: number;
  repinned: Array<{ region: RegionCode; group: string; account?: string; minSize: number; desiredCapacity: number; maxSize: number }>;
  weights: Array<{ name: string; region: RegionCode; weight: number }>;
  served: ServedRegion[];
  unplaced: Array<{ name: string; share: number }>;
}

/** Weights lifeboat set outside a stage's own steps, in sync at `at`. */
export interface WeightChangeInEffect {
  at: string;
  why: 'fallback' | 'rollback';
  weights: Array<{ name: string; region: RegionCode; weight: number }>;
}

export interface OperationResult {
  summary: string;
  groupsChanged: number;
  weightChanges: number;
  stagesApplied: number;
  /** Warm pools set or deleted (prepare- and release-dark-capacity). */
  warmPoolsChanged?: number;
  /** Instances short per (service, region) when the operation went on without them. */
  shortfall?: Array<{ service: string; region: RegionCode; target: number; obtained: number }>;
  /** Traffic share left on the region because the capacity obtained could not serve it. */
  unplaced?: Array<{ name: string; share: number }>;
  /** Cloud calls the operation made, as the adapter counted them: retries and throttles included. */
  awsCalls?: CallSummary;
  /** Set when capacity came short and it moved only part of the traffic (the region is partly evacuated). */
  partial?: boolean;
  /** After a stage failed verification for capacity: per service and region, what the weights in force serve and what not. */
  served?: ServedRegion[];
  /** Groups still pinned by this operation (onFailure: keep): a follow-up for someone. */
  pinned?: Array<{ region: RegionCode; group: string; account?: string; minSize: number }>;
  /**
   * An evacuation's effect on users (core/relief.ts): seconds to the first relief and to
   * mitigation (the failing region at 0), and impact in share-seconds, in total and per name.
   */
  relief?: Relief;
  /** Groups this operation pinned and let go after it failed or was cancelled (onFailure: unpin). */
  unpinned?: Array<{ region: RegionCode; group: string; account?: string }>;
  /** Route 53's change API failed and the region was taken out through its switch (all of it at once, no stages). */
  switchUsed?: SwitchUse;
  /** prepare-switches: what it created and attached. */
  switchesPrepared?: { alarms: number; healthChecks: number; recordsAttached: number };
  /** After a cancel without rollback part-way: the traffic share per DNS name and region it left in place. */
  trafficNow?: Array<{ name: string; region: RegionCode; share: number }>;
  /** What to run next, when it left the fleet part-way (each surface says it in its own words). */
  next?: NextStep;
}

/** An evacuation that fell back to the region's switch: which, why and what the alarm read back. */
export interface SwitchUse {
  region: RegionCode;
  alarm: { region: RegionCode; name: string };
  alarmState: string;
  at: string;
  /** What Route 53's change API answered (or that it did not in time). */
  because: string;
}

/** An operation to run next, and why: `restore us-east-1` to bring back the traffic a cancelled evacuation left moved. */
export interface NextStep {
  kind: 'restore';
  region: RegionCode;
  why: string;
}

/** What a job carries: the request, who asked, and the checkpoint the worker keeps current. */
export interface OperationData {
  id: string;
  kind: OperationKind;
  intent: IntentRequest;
  options: OperationOptions;
  actor: string;
  createdAt: string;
  /** Regions the operation holds a lease on. */
  regions: RegionCode[];
  checkpoint: Checkpoint;
}

interface Checkpoint {
  state: OperationState;
  startedAt?: string;
  finishedAt?: string;
  snapshot?: FleetSnapshot;
  plan?: Plan;
  /** SHA-256 of what the plan changes, carried by every audit record of the operation. */
  planHash?: string;
  steps: StepRecord[];
  forced?: boolean;
  cancel?: CancelRequest;
  error?: Problem;
  result?: OperationResult;
  /** Cloud calls made so far, across every worker that carried the operation. */
  awsCalls?: CallCounts[];
  /** Set when capacity came short and the operation moved only what it could serve. */
  partial?: Pick<OperationResult, 'shortfall' | 'unplaced'>;
  /** Set when a stage failed verification for capacity and fell back to what serves. */
  fallback?: StageFallback;
  /**
   * Weights set outside a stage's own steps (a fallback, a stage rolled back after its verify
   * hook said no), each when Route 53 had it in sync: the relief timeline counts them.
   */
  weightChanges?: WeightChangeInEffect[];
  /** Set when Route 53's change API failed and the region's switch was turned off instead. */
  switchUsed?: SwitchUse;
}
