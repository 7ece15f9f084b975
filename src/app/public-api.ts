/**
 * What automation imports from the lifeboat package (package.json "exports" and "types"):
 * the request an operation takes, with its zod schema to validate one before sending it, and
 * the shapes the API answers with. Schemas and types only: importing this starts nothing.
 *
 *   import { operationRequestSchema, type OperationView, type Plan } from 'lifeboat';
 */
export { operationRequestSchema, OPERATION_STATES, FINISHED_STATES } from '../operations/operation-types';
export type {
  OperationRequest,
  OperationState,
  OperationResult,
  Progress,
  CapacityProgress,
  CancelRequest,
  StepRecord,
  StepKind,
  StepState,
} from '../operations/operation-types';
export type { OperationView, ViewStep } from '../operations/operation-views';
export type { Plan, Stage, ServicePlan, GroupChange, GroupSize, WeightChange, RegionLoad, CapacityTarget, PlanWarning } from '../core/planner/plan-types';
export type { Problem, ErrorCode } from '../core/errors';
export { ERROR_CATALOG } from '../core/errors';

/** The API's answers: the response schemas /openapi.json publishes (parse an answer with them) and their types. */
export {
  operationViewSchema,
  operationAnswerSchema,
  operationListSchema,
  operationOneSchema,
  operationSubmitReplySchema,
  dryRunSchema,
  planSchema,
  planReplySchema,
  problemSchema,
  fleetSchema,
  fleetSnapshotSchema,
  statusSchema,
  readinessSchema,
  modelListSchema,
  modelOneSchema,
  evaluationSchema,
  runbookListSchema,
  runbookOneSchema,
  auditSchema,
  sessionSchema,
  healthzSchema,
  readyzSchema,
} from '../operations/api-responses';
export type {
  OperationAnswer,
  OperationSubmitReply,
  OperationList,
  StatusReply,
  FleetReply,
  ModelList,
  Evaluation,
  ReadinessReply,
  RunbookList,
  RunbookSummary,
  AuditReply,
  SessionReply,
} from '../operations/api-responses';
export type { FleetSnapshot } from '../core/fleet';
export type { ReadinessReport } from '../core/readiness';
