import type { Problem } from '../errors';
import type { FleetSnapshot } from '../fleet';
import type { Intent } from '../intents';
import { checkFleetHazards } from './fleet-checks';
import type { FleetIndex } from './fleet-index';
import { indexFleet } from './fleet-index';
import { planMove } from './move-plan';
import type { PlanContext } from './plan-context';
import type { Plan } from './plan-types';
import { planRestore } from './restore-plan';
import { planScale } from './scale-plan';
import { planReconcile } from './reconcile-plan';
import { planPrepareSwitches } from './prepare-switches-plan';
import { planPrepareDarkCapacity, planReleaseDarkCapacity } from './dark-capacity-plan';
import { warmCoverageOf } from './warm-coverage';

/**
 * The planner: fleet snapshot + intent + models → plan. Pure: no I/O, no clock, no
 * randomness; the same inputs give the same plan. A plan with blockers must not be
 * carried out (unless forced, where the operation allows it).
 */
export function plan(snapshot: FleetSnapshot, intent: Intent, ctx: PlanContext): Plan {
  const planned = planIntent(snapshot, intent, ctx);
  planned.blockers.push(...unreadableRegions(snapshot, intent));
  return planned;
}

function planIntent(snapshot: FleetSnapshot, intent: Intent, ctx: PlanContext): Plan {
  const index = indexFleet(snapshot);
  const made = planOfKind(index, intent, ctx);
  const coverage = warmCoverageOf(index, made.groupChanges);
  if (coverage) made.warmCoverage = coverage;
  checkFleetHazards(index, made, { refusePendingRefresh: 'refusePendingRefresh' in intent && intent.refusePendingRefresh === true, ...(ctx.timing ? { timing: ctx.timing } : {}) });
  return made;
}

function planOfKind(index: FleetIndex, intent: Intent, ctx: PlanContext): Plan {
  switch (intent.kind) {
    case 'evacuate':
    case 'shift':
      return planMove(index, intent, ctx);
    case 'restore':
      return planRestore(index, intent, ctx);
    case 'scale':
      return planScale(index, intent, ctx);
    case 'reconcile':
      return planReconcile(index, intent, ctx);
    case 'prepare-switches':
      return planPrepareSwitches(index, intent);
    case 'prepare-dark-capacity':
      return planPrepareDarkCapacity(index, intent, ctx);
    case 'release-dark-capacity':
      return planReleaseDarkCapacity(index, intent, ctx);
  }
}

/**
 * A region that could not be read, with no earlier reading to plan from: its groups and
 * capacity are unknown, so no plan that moves traffic (or scales there) can be trusted. A
 * region read from an earlier reading is only a warning (REGION_FROM_SNAPSHOT, with its age).
 */
function unreadableRegions(snapshot: FleetSnapshot, intent: Intent): Problem[] {
  // Switches live in CloudWatch and Route 53: a region's Auto Scaling does not matter to them.
  if (intent.kind === 'prepare-switches') return [];
  return snapshot.warnings
    .filter((w) => w.code === 'REGION_UNREADABLE' && w.region && (intent.kind !== 'scale' || intent.region === w.region) && intent.kind !== 'release-dark-capacity')
    .map((w) => ({
      code: 'LB_ERR_REGION_UNREADABLE' as const,
      message: `${w.region} could not be read and lifeboat holds no earlier reading of it: its groups and capacity are unknown (${w.message})`,
      details: { region: w.region },
    }));
}

export type { Plan } from './plan-types';
export type { PlanContext } from './plan-context';
export { DEFAULT_PLAN_CONTEXT } from './plan-context';
