import type { Problem } from '../errors';
import { closestMatch, didYouMean } from '../suggest';
import type { Intent, IntentRequest } from '../intents';
import type { CapacityModel } from '../models/capacity-model';
import type { OperationTiming } from './fleet-checks';
import type { FleetIndex } from './fleet-index';
import type { Plan, PlanWarning, ServiceDemand } from './plan-types';

/** What the planner needs besides the fleet and the intent: all of it data. */
export interface PlanContext {
  models: ReadonlyMap<string, CapacityModel>;
  /** Model used when the intent names none. */
  defaultModel: string;
  /** Stages used when the intent says nothing. */
  defaultStages: number | number[];
  /** MaxSize growth allowed when the intent says nothing (1: never raise MaxSize). */
  maxSizeGrowth: number;
  /** How long an operation may take, for the scheduled actions due meanwhile (DEFAULT_TIMING when absent). */
  timing?: OperationTiming;
}

export const DEFAULT_PLAN_CONTEXT: Omit<PlanContext, 'models'> = {
  defaultModel: 'measured',
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
    warnings: index.snapshot.warnings.filter((w) => concernsAskedServices(w, asked)).map(snapshotWarningToPlanWarning),
    blockers: [],
  };
}

/** A snapshot warning about one service matters to a plan only when the plan is about that service. */
function concernsAskedServices(w: { service?: string }, asked: ReturnType<typeof intentAsAsked>): boolean {
  const services = 'services' in asked ? asked.services : undefined;
  return w.service === undefined || services === undefined || services.includes(w.service);
}

function snapshotWarningToPlanWarning(w: Plan['warnings'][number] | { code: string; message: string; [k: string]: unknown }): PlanWarning {
  const { code, message, ...rest } = w as { code: string; message: string; [k: string]: unknown };
  return Object.keys(rest).length > 0 ? { code, message, details: rest } : { code, message };
}

/** The blocker for a region lifeboat does not manage (every planner checks its region first). */
export function unknownRegionProblem(index: FleetIndex, region: string): Problem {
  const suggestion = closestMatch(region, index.regions);
  return {
    code: 'LB_ERR_UNKNOWN_REGION',
    message: `${region} is not a managed region${didYouMean(region, index.regions)} (managed: ${index.regions.join(', ')})`,
    details: { region, ...(suggestion ? { suggestion } : {}), managedRegions: [...index.regions] },
  };
}

/** The blocker for a service no managed group serves (in `region`, when given), with the nearest service that has groups there. */
export function unknownServiceProblem(index: FleetIndex, service: string, region?: string): Problem {
  const known = [...index.groups].filter(([, byRegion]) => region === undefined || (byRegion.get(region)?.length ?? 0) > 0).map(([name]) => name);
  const suggestion = closestMatch(service, known);
  return {
    code: 'LB_ERR_UNKNOWN_SERVICE',
    message: `no managed Auto Scaling group serves ${service}${region ? ` in ${region}` : ''}${didYouMean(service, known)} (services: ${known.join(', ') || 'none'})`,
    details: { service, ...(region ? { region } : {}), ...(suggestion ? { suggestion } : {}), services: known },
  };
}

/** What sized a service, as the shortfall hint needs it. */
interface SizedBy {
  service: string;
  model: { name: string };
  demand: ServiceDemand;
  fellBack?: { from: string; reason: string };
}

/**
 * One blocker for every (service, region) that cannot reach its capacity under its ceiling,
 * with a hint naming the causes it can see: the ceilings always; demand estimated from
 * instance counts, which reads what survivors already run (extra instances left by an
 * earlier evacuation included) as load, and the model that would avoid it; or the peak
 * ahead a measured demand was sized for.
 */
export function shortfallProblem(shortfalls: Problem['details'][], sizedBy: readonly SizedBy[] = []): Problem {
  const lines = shortfalls.map((s) => `${s!.service} in ${s!.region} needs ${s!.required} but can reach ${s!.ceiling} (short ${s!.short})`);
  return {
    code: 'LB_ERR_SHORTFALL',
    message: `survivors cannot reach the capacity they need: ${lines.join('; ')}`,
    details: { shortfalls },
    hint: shortfallHint(shortfalls, sizedBy),
  };
}

function shortfallHint(shortfalls: Problem['details'][], sizedBy: readonly SizedBy[]): string {
  const short = new Set(shortfalls.map((s) => String(s!.service)));
  const of = sizedBy.filter((c) => short.has(c.service));
  const causes = [`Their ceilings (MaxSize × the growth allowed) are below what the model asks.`];
  const counted = of.filter((c) => c.demand.how === 'counts');
  if (counted.length > 0) {
    const names = counted.map((c) => c.service).join(', ');
    const why = counted.find((c) => c.fellBack)?.fellBack?.reason;
    causes.push(
      `The demand of ${names} is estimated from instance counts (model ${counted[0]!.model.name}), which counts instances survivors already run beyond their need (left by an earlier evacuation, say) as load: model measured sizes from CloudWatch load instead${why ? ` (unavailable here: ${why})` : ''}; throughput or erlang-c from a demand you give.`,
    );
  }
  const measured = of.filter((c) => c.demand.how === 'measured' && typeof c.demand.source === 'object');
  if (measured.length > 0) causes.push(`${measured.map((c) => c.service).join(', ')} ${measured.length > 1 ? 'are' : 'is'} sized for the peak expected ahead; parameters {"horizon": 0} size for the demand now.`);
  return `${causes.join(' ')} Raise MaxSize (or maxSizeGrowth), shift less traffic, or pass force: true to accept the shortfall.`;
}
