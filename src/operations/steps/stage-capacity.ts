import type { AutoScalingGroupReading } from '../../core/fleet';
import { accountOf, keyOfGroup } from '../../core/fleet';
import { indexFleet } from '../../core/planner/fleet-index';
import type { Stage } from '../../core/planner/plan-types';
import { countInService } from '../../core/snapshot';
import { readyAt } from './await-capacity';
import { readLive } from './group-sizes';
import type { StepContext } from './step-context';
import { planOf } from './step-context';

/** A service in a region that runs less, in service, than a stage's share needs. */
export interface ShortRegion {
  service: string;
  region: string;
  needed: number;
  inService: number;
}

/**
 * Whether every region that gained traffic still runs, in service (EC2 status checks
 * passing), what the stage's shares need (× readiness): what the dwell watches at each poll
 * and verify checks after it. A region whose share did not grow is not read: it carries no
 * more than before (and the region being evacuated may be the one whose endpoint does not answer).
 */
export async function shortOfStage(ctx: StepContext, stage: Stage): Promise<{ checked: number; short: ShortRegion[]; live: Map<string, AutoScalingGroupReading> }> {
  const { plan, snapshot } = planOf(ctx);
  const readiness = ctx.op.options.readiness ?? ctx.settings.LIFEBOAT_READINESS;
  const groups = indexFleet(snapshot).groups;
  const groupsOf = (service: string, region: string) => groups.get(service)?.get(region) ?? [];
  const shareBefore = new Map(plan.services.flatMap((p) => p.regions.map((t) => [`${t.service}\u0000${t.region}`, t.share] as const)));
  const gained = (l: { service: string; region: string; share: number }) => l.share > (shareBefore.get(`${l.service}\u0000${l.region}`) ?? 0) + 1e-9;
  const checks = stage.load.filter((l) => l.needed > 0 && l.share > 0 && gained(l));
  const live = await readLive(ctx, checks.flatMap((l) => groupsOf(l.service, l.region).map((g) => ({ ...accountOf(g), region: g.region, group: g.name }))));
  const short = checks
    .map((l) => ({
      service: l.service,
      region: l.region,
      needed: readyAt(l.needed, readiness),
      inService: groupsOf(l.service, l.region).reduce((a, g) => a + countInService(live.get(keyOfGroup(g))?.instances ?? []), 0),
    }))
    .filter((c) => c.inService < c.needed);
  return { checked: checks.length, short, live };
}

export function describeShort(short: readonly ShortRegion[]): string {
  return short.map((s) => `${s.service} in ${s.region} has ${s.inService} in service, needs ${s.needed}`).join('; ');
}
