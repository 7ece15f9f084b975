import type { Problem } from '../errors';
import type { Intent, IntentRequest } from '../intents';
import type { CapacityModel } from '../models/capacity-model';
import type { FleetIndex } from './fleet-index';
import type { Plan, PlanWarning } from './plan-types';

/** What the planner needs besides the fleet and the intent: all of it data. */
export interface PlanContext {
  models: ReadonlyMap<string, CapacityModel>;
  /** Model used when the intent names none. */
  defaultModel: string;
  /** Stages used when the intent says nothing. */
  defaultStages: number | number[];
  /** MaxSize growth allowed when the intent says nothing (1: never raise MaxSize). */
  maxSizeGrowth: number;
}

export const DEFAULT_PLAN_CONTEXT: Omit<PlanContext, 'models'> = {
  defaultModel: 'proportional',
  defaultStages: 2,
  maxSizeGrowth: 1,
};

/** The intent as it is shown in a plan: a restore's previous snapshot is stored elsewhere, a reconcile's target is in its stages and changes. */
function intentAsAsked(intent: Intent): IntentRequest {
  if (intent.kind === 'reconcile') {
    const { target: _target, ...request } = intent;
    return request;
  }
  if (intent.kind !== 'restore') return intent;
  const { previous: _previous, ...request } = intent;
  return request;
}

export function emptyPlan(index: FleetIndex, intent: Intent, ctx: PlanContext): Plan {
  const asked = intentAsAsked(intent);
  const model = ('model' in asked && asked.model) || ctx.defaultModel;
  const growth = ('maxSizeGrowth' in asked && asked.maxSizeGrowth) || ctx.maxSizeGrowth;
  return {
    kind: intent.kind,
    intent: asked,
    model,
    maxSizeGrowth: growth,
    snapshotTakenAt: index.snapshot.takenAt,
    regions: index.regions,
    names: [],
    services: [],
    groupChanges: [],
    stages: [],
    finalGroupChanges: [],
    warnings: index.snapshot.warnings.map(snapshotWarningToPlanWarning),
    blockers: [],
  };
}

function snapshotWarningToPlanWarning(w: Plan['warnings'][number] | { code: string; message: string; [k: string]: unknown }): PlanWarning {
  const { code, message, ...rest } = w as { code: string; message: string; [k: string]: unknown };
  return Object.keys(rest).length > 0 ? { code, message, details: rest } : { code, message };
}

/** The blocker for a region lifeboat does not manage (every planner checks its region first). */
export function unknownRegionProblem(index: FleetIndex, region: string): Problem {
  return { code: 'LB_ERR_UNKNOWN_REGION', message: `${region} is not a managed region (managed: ${index.regions.join(', ')})`, details: { region } };
}

/** One blocker for every (service, region) that cannot reach its capacity under its ceiling. */
export function shortfallProblem(shortfalls: Problem['details'][]): Problem {
  const lines = shortfalls.map((s) => `${s!.service} in ${s!.region} needs ${s!.required} but can reach ${s!.ceiling} (short ${s!.short})`);
  return {
    code: 'LB_ERR_SHORTFALL',
    message: `survivors cannot reach the capacity they need: ${lines.join('; ')}`,
    details: { shortfalls },
  };
}
