import type { ManagedGroup } from '../fleet';
import type { ScaleIntent } from '../intents';
import type { FleetIndex } from './fleet-index';
import { groupCeiling } from './fleet-index';
import { groupChange } from './group-sizing';
import type { PlanContext } from './plan-context';
import { emptyPlan, unknownRegionProblem, unknownServiceProblem } from './plan-context';
import type { Plan } from './plan-types';

/**
 * Set one service in one region to an absolute size, spread over its groups in
 * proportion to what each runs now (equally when none runs anything).
 */
export function planScale(index: FleetIndex, intent: ScaleIntent, ctx: PlanContext): Plan {
  const plan = emptyPlan(index, intent, ctx);
  plan.region = intent.region;
  const { blockers } = plan;
  if (!index.regions.includes(intent.region)) {
    blockers.push(unknownRegionProblem(index, intent.region));
    return plan;
  }
  const groups = index.groups.get(intent.service)?.get(intent.region) ?? [];
  if (groups.length === 0) {
    blockers.push(unknownServiceProblem(index, intent.service, intent.region));
    return plan;
  }
  const weights = groups.map((g) => g.desiredCapacity);
  const desired = split(intent.desiredCapacity, weights);
  const ceilings = groups.map((g) => groupCeiling(g, plan.maxSizeGrowth));
  const maxSizes = intent.maxSize !== undefined ? split(intent.maxSize, weights) : groups.map((g, i) => Math.min(ceilings[i]!, Math.max(g.maxSize, desired[i]!)));
  const minSizes = intent.minSize !== undefined ? split(intent.minSize, weights) : groups.map((g, i) => Math.min(g.minSize, desired[i]!));

  const over = groups.map((g, i) => ({ g, i })).filter(({ i }) => desired[i]! > maxSizes[i]!);
  if (over.length > 0) {
    const ceiling = maxSizes.reduce((a, b) => a + b, 0);
    blockers.push({
      code: 'LB_ERR_DESIRED_ABOVE_MAX',
      message: `${intent.service} in ${intent.region} can run at most ${ceiling} (MaxSize${plan.maxSizeGrowth > 1 ? ` × ${plan.maxSizeGrowth}` : ''}); ${intent.desiredCapacity} asked`,
      details: { service: intent.service, region: intent.region, ceiling, desiredCapacity: intent.desiredCapacity },
    });
    return plan;
  }
  groups.forEach((g: ManagedGroup, i) => {
    const change = groupChange(g, { minSize: minSizes[i]!, desiredCapacity: desired[i]!, maxSize: maxSizes[i]! });
    if (change) plan.groupChanges.push(change);
  });
  if (plan.groupChanges.length === 0) {
    blockers.push({ code: 'LB_ERR_NOTHING_TO_DO', message: `${intent.service} in ${intent.region} already runs at these sizes`, details: { service: intent.service, region: intent.region } });
  }
  return plan;
}

/** Largest-remainder split of `total` in proportion to `weights` (equal when all are 0). */
function split(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (sum > 0 ? (total * w) / sum : total / weights.length));
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  for (const i of exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r).map((x) => x.i)) {
    if (left-- <= 0) break;
    out[i]!++;
  }
  return out;
}
