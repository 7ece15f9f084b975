import type { FleetSnapshot, RegionCode } from '../fleet';
import { keyOfGroup } from '../fleet';
import type { EvacuateIntent, ShiftIntent } from '../intents';
import { plan } from './plan';
import type { PlanContext } from './plan-context';
import type { Plan } from './plan-types';

interface ObtainedCapacity {
  region: RegionCode;
  group: string;
  account?: string;
  inService: number;
}

/**
 * When prescaled capacity did not all arrive: plan the same move again, as if each group's
 * ceiling were what it really has in service, with capacity-aware distribution. No region
 * is then sent more than its obtained capacity serves at the model's target; what nobody
 * can take stays where it is (reported as unplaced by the LB_ERR_SHORTFALL blocker).
 */
export function planWithinObtainedCapacity(
  snapshot: FleetSnapshot,
  intent: EvacuateIntent | ShiftIntent,
  obtained: readonly ObtainedCapacity[],
  ctx: PlanContext,
): Plan {
  const cap = new Map(obtained.map((o) => [keyOfGroup(o), o.inService]));
  const groups = snapshot.groups.map((g) => {
    const have = cap.get(keyOfGroup(g));
    return have === undefined ? g : { ...g, maxSize: have };
  });
  // Each service's MaxSize per region, summed over its groups in one pass.
  const maxSizes = new Map<string, number>();
  for (const g of groups) {
    const key = serviceRegion(g.service, g.region);
    maxSizes.set(key, (maxSizes.get(key) ?? 0) + g.maxSize);
  }
  const capacity = snapshot.capacity.map((c) => ({ ...c, maxSize: maxSizes.get(serviceRegion(c.service, c.region)) ?? 0 }));
  return plan({ ...snapshot, groups, capacity }, { ...intent, distribution: 'capacity-aware', maxSizeGrowth: 1 }, ctx);
}

const serviceRegion = (service: string, region: RegionCode) => `${service}\u0000${region}`;
