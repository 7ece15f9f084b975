import { z } from 'zod';
import type { FleetSnapshot } from '../core/fleet';
import type { Plan } from '../core/planner/plan-types';
import type { ReadinessReport } from '../core/readiness';
import { parameterSchema } from '../core/runbooks/runbook-schema';
import { OPERATION_STATES } from './operation-types';
import type { OperationView } from './operation-views';

/**
 * What the HTTP API answers, as zod schemas: one per JSON route's success body, next to the
 * request schemas (operation-types.ts, the routes' own). The route catalog publishes them in
 * the OpenAPI document (/openapi.json, their JSON Schema), the CLI's client parses every
 * answer with them and takes its types from them (z.infer), and the package exports the
 * types. Envelopes and the views people act on (operations, steps, plans, progress) list
 * every field; deeper parts that have their own documentation (a fleet snapshot's groups, a
 * model's expressions, a runbook's parameters) name the fields clients rely on and allow
 * more (looseObject), so a new field there is not a breaking change.
 */

/**
 * A schema that checks what clients rely on of a richer domain type the server builds, typed
 * as that type: what it parses is the domain object (the server builds it from the same
 * source, and test/integration/openapi-responses.test.ts checks real answers against these
 * schemas), so the CLI's renderers take it as they take the server's own values.
 */
function parsesAs<T>() {
  return <S extends z.ZodType>(schema: S): z.ZodType<T, z.input<S>> => schema as unknown as z.ZodType<T, z.input<S>>;
}

const isoTime = z.string().describe('ISO 8601 time');
const region = z.string().describe('AWS region code');
/** A number the API may write as null: JSON has no NaN or Infinity. */
const numberOrNull = z.number().nullable();

/** An error as the API reports it (the body's `error`, a step's or an operation's `error`, a plan's blockers). */
export const problemSchema = z.looseObject({
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

const groupSizeSchema = z.object({ minSize: z.number(), desiredCapacity: z.number(), maxSize: z.number() });

const groupChangeSchema = z.object({
  account: z.string().optional(),
  region,
  group: z.string(),
  service: z.string(),
  from: groupSizeSchema,
  to: groupSizeSchema,
});

const weightChangeSchema = z.object({
  zoneId: z.string(),
  name: z.string(),
  type: z.string(),
  region,
  setIdentifier: z.string(),
  from: z.number(),
  to: z.number(),
});

const stageSchema = z.object({
  index: z.number(),
  percent: z.number(),
  weights: z.array(weightChangeSchema),
  traffic: z.array(z.object({ name: z.string(), region, weight: z.number(), share: z.number() })),
  load: z.array(z.object({ service: z.string(), region, share: z.number(), instances: z.number(), needed: z.number(), loadFactor: numberOrNull })),
});

const capacityTargetSchema = z.looseObject({
  service: z.string(),
  region,
  share: z.number(),
  targetShare: z.number(),
  current: z.number(),
  inService: z.number(),
  required: z.number(),
  target: z.number(),
  ceiling: z.number(),
  shortfall: z.number(),
});

const servicePlanSchema = z.looseObject({
  service: z.string(),
  trafficName: z.string().optional(),
  model: z.string(),
  demand: z.looseObject({ how: z.string() }),
  fellBack: z.object({ from: z.string(), reason: z.string() }).optional(),
  parameters: z.record(z.string(), z.unknown()),
  regions: z.array(capacityTargetSchema),
});

/** A plan: what an operation will do, stage by stage, and why it may not (blockers). */
const switchDesignSchema = z.object({ region, alarm: z.object({ region, name: z.string() }), callerReference: z.string() });
const regionSwitchSchema = z.object({
  region,
  alarm: z.looseObject({ region, name: z.string() }),
  alarmState: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']).optional(),
  position: z.enum(['on', 'off', 'unknown']),
  healthCheckId: z.string().optional(),
  records: z.number(),
  recordsMissingHealthCheck: z.array(z.looseObject({ zoneId: z.string(), name: z.string(), type: z.string(), setIdentifier: z.string(), healthCheckId: z.string().optional() })),
  prepared: z.boolean(),
  problems: z.array(z.string()),
});
/** A warm pool a dark-capacity operation sets (to) or deletes (to: null), and the loss it is sized for. */
const warmPoolChangeSchema = z.object({
  account: z.string().optional(),
  region,
  group: z.string(),
  service: z.string(),
  from: z.looseObject({ size: z.number(), minSize: z.number().optional(), maxGroupPreparedCapacity: z.number().optional(), poolState: z.string().optional() }).optional(),
  to: z.object({ minSize: z.number(), maxGroupPreparedCapacity: z.number(), poolState: z.enum(['Stopped', 'Running', 'Hibernated']) }).nullable(),
  growth: z.number(),
  forLossOf: region.optional(),
});

/** Per survivor that grows: instances from its warm pools and instances launched cold. */
const warmCoverageSchema = z.object({ service: z.string(), region, growth: z.number(), warm: z.number(), cold: z.number() });

export const planSchema = parsesAs<Plan>()(z.object({
  kind: z.string(),
  intent: z.looseObject({ kind: z.string() }),
  region: region.optional(),
  model: z.string(),
  maxSizeGrowth: z.number(),
  snapshotTakenAt: isoTime,
  regions: z.array(region),
  names: z.array(z.string()),
  services: z.array(servicePlanSchema),
  groupChanges: z.array(groupChangeSchema),
  stages: z.array(stageSchema),
  finalGroupChanges: z.array(groupChangeSchema),
  warmPoolChanges: z.array(warmPoolChangeSchema).optional(),
  warmCoverage: z.array(warmCoverageSchema).optional(),
  warnings: z.array(z.looseObject({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() })),
  blockers: z.array(problemSchema),
  switches: z
    .object({
      controlRegions: z.array(region),
      regions: z.array(regionSwitchSchema),
      changes: z.array(z.looseObject({ kind: z.string(), region })),
      warnings: z.array(z.looseObject({ code: z.string(), message: z.string() })),
      blockers: z.array(problemSchema),
    })
    .optional(),
  fallbackSwitch: switchDesignSchema.optional(),
  switchOn: switchDesignSchema.optional(),
}));

const viewStepSchema = z.looseObject({
  id: z.string(),
  kind: z.string(),
  stage: z.number().optional(),
  title: z.string(),
  state: z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped']),
  attempts: z.number(),
  startedAt: isoTime.optional(),
  finishedAt: isoTime.optional(),
  outcome: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
  error: problemSchema.optional(),
  phase: z.enum(['steps', 'rollback']).optional(),
  stepId: z.string().optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
  stuck: z.boolean().optional(),
});

const progressSchema = z.looseObject({
  step: z.string(),
  message: z.string(),
  at: isoTime,
  capacity: z.array(z.looseObject({ account: z.string().optional(), region, group: z.string(), service: z.string(), inService: z.number(), target: z.number() })).optional(),
  weights: z.array(z.object({ name: z.string(), region, weight: z.number() })).optional(),
});

const operationResultSchema = z.looseObject({
  summary: z.string(),
  groupsChanged: z.number(),
  weightChanges: z.number(),
  stagesApplied: z.number(),
  partial: z.boolean().optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
});

const operationLinksSchema = z.object({ self: z.string(), cancel: z.string(), approve: z.string().optional() });

/** An operation (or a runbook run) as GET /v1/operations/:id shows it. */
export const operationViewSchema = parsesAs<OperationView>()(z.object({
  id: z.string(),
  kind: z.string().describe('evacuate, shift, restore, scale, reconcile, or runbook'),
  state: z.enum(OPERATION_STATES),
  actor: z.string(),
  request: z.record(z.string(), z.unknown()),
  regions: z.array(region),
  createdAt: isoTime,
  startedAt: isoTime.optional(),
  finishedAt: isoTime.optional(),
  forced: z.boolean(),
  cancel: z.object({ at: isoTime, by: z.string(), rollback: z.boolean() }).optional(),
  steps: z.array(viewStepSchema),
  progress: progressSchema.optional(),
  plan: planSchema.optional(),
  error: problemSchema.optional(),
  result: operationResultSchema.optional(),
  awaitingApproval: z.object({ stepId: z.string(), message: z.string(), since: isoTime }).optional(),
  links: operationLinksSchema,
}));

/** POST /v1/operations (202), cancel, approve, runbook runs and triggers: the operation and where to go next. */
export const operationAnswerSchema = z.object({ operation: operationViewSchema, links: operationLinksSchema });

/** A dry run's answer. */
export const dryRunSchema = z.object({ dryRun: z.literal(true), plan: planSchema });

/** POST /v1/operations 200: a dry run's plan, or the operation an earlier request with the same Idempotency-Key started. */
export const operationSubmitReplySchema = z.union([dryRunSchema, operationAnswerSchema]);

export const switchesSchema = z.object({
  controlRegions: z.array(region),
  switches: z.array(regionSwitchSchema),
  pendingChanges: z.number().int(),
  warnings: z.array(z.looseObject({ code: z.string(), message: z.string() })),
  problems: z.array(problemSchema),
  readAt: isoTime,
});

export const operationListSchema = z.object({ operations: z.array(operationViewSchema) });
export const operationOneSchema = z.object({ operation: operationViewSchema });
export const planReplySchema = z.object({ plan: planSchema });

const checkSchema = z.looseObject({ ok: z.boolean(), detail: z.string().optional() });
export const healthzSchema = z.object({ status: z.literal('ok') });
export const readyzSchema = z.object({ status: z.literal('ready'), checks: z.record(z.string(), checkSchema) });
export const notReadySchema = z.object({
  status: z.literal('unavailable'),
  checks: z.record(z.string(), checkSchema),
  error: problemSchema,
});

export const statusSchema = z.object({
  status: z.object({
    checkedAt: isoTime,
    aws: z.array(z.object({ service: z.string(), region, ok: z.boolean(), ms: z.number().optional(), error: z.string().optional() })),
    awsDown: z.array(z.string()),
    regions: z.record(z.string(), z.object({ autoscaling: z.enum(['up', 'down', 'unknown']), lastGoodReadAt: isoTime.optional() })),
    workers: z.object({ connected: z.number().nullable(), detail: z.string().optional() }),
    redis: z.looseObject({ mode: z.enum(['standalone', 'sentinel']).optional(), connection: z.string(), node: z.string().optional(), role: z.string().optional(), error: z.string().optional(), sentinel: z.looseObject({ masterName: z.string() }).optional() }),
  }),
});

const managedGroupSchema = z.looseObject({
  region,
  name: z.string(),
  service: z.string(),
  minSize: z.number(),
  maxSize: z.number(),
  desiredCapacity: z.number(),
  inService: z.number(),
  pending: z.number(),
});

/** What lifeboat read of the fleet: groups, weighted records, capacity and traffic per service and region, warnings. */
export const fleetSnapshotSchema = parsesAs<FleetSnapshot>()(z.looseObject({
  takenAt: isoTime,
  regions: z.array(region),
  groups: z.array(managedGroupSchema),
  records: z.array(z.looseObject({ zoneId: z.string(), name: z.string(), type: z.string(), region, setIdentifier: z.string(), weight: z.number() })),
  capacity: z.array(z.looseObject({ service: z.string(), region, groups: z.array(z.string()), inService: z.number(), desiredCapacity: z.number() })),
  traffic: z.array(z.object({ name: z.string(), region, weight: z.number(), share: z.number() })),
  warnings: z.array(z.looseObject({ code: z.string(), message: z.string() })),
}));

export const fleetSchema = z.object({
  snapshot: fleetSnapshotSchema,
  evacuatedRegions: z.array(region),
  partlyEvacuatedRegions: z.array(region),
  followUps: z.array(z.looseObject({ region, group: z.string() })),
  unfinished: z.array(z.record(z.string(), z.unknown())),
});

const modelSchema = z.looseObject({
  name: z.string(),
  description: z.string().optional(),
  file: z.string().optional(),
  fallback: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()),
  expressions: z.unknown(),
  inputsUsed: z.array(z.string()),
});
export const modelListSchema = z.object({ models: z.array(modelSchema), default: z.string() });
export const modelOneSchema = z.object({ model: modelSchema });
export const evaluationSchema = z.object({
  model: z.string(),
  parameters: z.record(z.string(), z.unknown()),
  required: z.record(z.string(), numberOrNull),
  servable: z.record(z.string(), numberOrNull).optional(),
});

export const readinessSchema = z.object({
  readiness: parsesAs<ReadinessReport>()(
    z.looseObject({ ready: z.boolean(), regions: z.array(z.looseObject({ region, warmCoverage: z.array(warmCoverageSchema).optional() })) }).describe('Per region: ready, blockers, per service the survivors’ needed, obtainable and headroom; warmCoverage: per survivor that would grow, how much of its growth its warm pools cover (only when some such group has a pool)'),
  ),
  intervalSeconds: z.number(),
});

const runbookSchema = z.object({
  name: z.string(),
  description: z.string(),
  parameters: z.record(z.string(), parameterSchema),
  steps: z.array(z.object({ id: z.string(), action: z.string(), description: z.string().optional(), when: z.string().optional(), onFailure: z.unknown() })),
  rollback: z.array(z.object({ id: z.string(), action: z.string() })),
  links: z.object({ runs: z.string() }),
});
export const runbookListSchema = z.object({ runbooks: z.array(runbookSchema) });
export const runbookOneSchema = z.object({ runbook: runbookSchema });

const auditRecordSchema = z.looseObject({
  id: z.string(),
  at: isoTime,
  actor: z.string(),
  action: z.string(),
  outcome: z.string().optional(),
  completedAt: isoTime.optional(),
  operationId: z.string().optional(),
});
export const auditSchema = z.object({ records: z.array(auditRecordSchema), retentionDays: z.number() });

export const identitySchema = z.looseObject({ name: z.string(), roles: z.array(z.string()) });
export const sessionSchema = z.object({ identity: identitySchema, credentials: z.enum(['bearer', 'cookie', 'insecure']) });

/** The OpenAPI document itself, and the queue board's Redis details: JSON objects described elsewhere. */
export const jsonObjectSchema = z.record(z.string(), z.unknown());

export type ApiProblem = z.infer<typeof problemSchema>;
export type ApiPlan = z.infer<typeof planSchema>;
export type ApiOperationView = z.infer<typeof operationViewSchema>;
export type OperationAnswer = z.infer<typeof operationAnswerSchema>;
export type OperationSubmitReply = z.infer<typeof operationSubmitReplySchema>;
export type OperationList = z.infer<typeof operationListSchema>;
export type StatusReply = z.infer<typeof statusSchema>;
export type FleetReply = z.infer<typeof fleetSchema>;
export type ModelList = z.infer<typeof modelListSchema>;
export type Evaluation = z.infer<typeof evaluationSchema>;
export type ReadinessReply = z.infer<typeof readinessSchema>;
export type RunbookList = z.infer<typeof runbookListSchema>;
export type RunbookSummary = RunbookList['runbooks'][number];
export type AuditReply = z.infer<typeof auditSchema>;
export type SessionReply = z.infer<typeof sessionSchema>;
