import { LifeboatError } from '../../core/errors';
import type { RegionCode } from '../../core/fleet';
import { recordKey } from '../../core/fleet';
import type { PacedCapacity } from '../../core/planner/capacity-pace';
import type { FleetIndex } from '../../core/planner/fleet-index';
import type { WeightChange } from '../../core/planner/plan-types';
import type { PacedStageRecord } from './follow-capacity-records';
import { setAndVerifyWeights } from './stage-weights';
import type { StepContext } from './step-context';
import { waitOrInterrupt } from './step-context';

/** One name's absolute weights to set, with the capacity that justified them. */
export interface NameWeights {
  name: string;
  weights: ReadonlyMap<RegionCode, number>;
  shares: ReadonlyMap<RegionCode, number>;
  capacity: PacedCapacity[];
}

/**
 * Set the weights of every name given in one batch (absolute, so setting them twice changes
 * nothing more), then record each name's change with the capacity that justified it.
 */
export async function setNameWeights(
  ctx: StepContext,
  index: Pick<FleetIndex, 'recordsOf'>,
  moving: readonly NameWeights[],
  records: { all: readonly PacedStageRecord[]; own: PacedStageRecord[] },
  failing: RegionCode,
  kind?: PacedStageRecord['kind'],
): Promise<PacedStageRecord[]> {
  const changes: Array<Pick<WeightChange, 'zoneId' | 'name' | 'type' | 'setIdentifier' | 'region' | 'to'>> = [];
  for (const m of moving) {
    for (const r of index.recordsOf.get(m.name) ?? []) {
      const to = m.weights.get(r.region);
      if (to !== undefined) changes.push({ zoneId: r.zoneId, name: r.name, type: r.type, setIdentifier: r.setIdentifier, region: r.region, to });
    }
  }
  // Records are keyed as the snapshot has them; one write per record even when a type repeats.
  const unique = [...new Map(changes.map((c) => [recordKey(c), c])).values()];
  const set = await setAndVerifyWeights(ctx, unique);
  const changeIds = (set.detail?.changeIds as string[] | undefined) ?? [];
  const at = ctx.clock.now().toISOString();
  const added = moving.map(
    (m): PacedStageRecord => ({
      name: m.name,
      stage: records.all.filter((s) => s.name === m.name).length + 1,
      ...(kind ? { kind } : {}),
      setAt: at,
      changeIds,
      weights: Object.fromEntries(m.weights),
      shares: Object.fromEntries(m.shares),
      failingShare: m.shares.get(failing) ?? 0,
      capacity: m.capacity,
    }),
  );
  records.own.push(...added);
  return added;
}

/**
 * Changes still waiting for Route 53: in sync now takes effect (a fallback is then verified
 * too: it only brings survivors within their capacity); one past the DNS timeout fails the
 * operation.
 */
export async function takeEffect(ctx: StepContext, stages: readonly PacedStageRecord[]): Promise<void> {
  const waiting = stages.filter((s) => !s.insyncAt);
  if (waiting.length === 0) return;
  const ids = [...new Set(waiting.flatMap((s) => s.changeIds))];
  const statuses = new Map(await Promise.all(ids.map(async (id) => [id, await ctx.cloud.changeStatus(id)] as const)));
  const now = ctx.clock.now();
  for (const s of waiting) {
    if (s.changeIds.every((id) => statuses.get(id) === 'INSYNC')) {
      s.insyncAt = now.toISOString();
      if (s.kind === 'fallback') s.verifiedAt = s.insyncAt;
    } else if (now.getTime() - new Date(s.setAt).getTime() > ctx.settings.LIFEBOAT_DNS_TIMEOUT * 1000) {
      const pending = s.changeIds.filter((id) => statuses.get(id) !== 'INSYNC');
      throw new LifeboatError(
        'LB_ERR_DNS_TIMEOUT',
        `Route 53 changes ${pending.join(', ')} (${s.name}, paced ${s.kind ?? 'stage'} ${s.stage}) not in sync after ${ctx.settings.LIFEBOAT_DNS_TIMEOUT} s; check Route 53's change status, then evacuate again`,
        { pending, name: s.name },
      );
    }
  }
}

/** Wait until every given change is in sync, saving as each takes effect. */
export async function untilInSync(ctx: StepContext, records: readonly PacedStageRecord[]): Promise<void> {
  while (records.some((s) => !s.insyncAt)) {
    await takeEffect(ctx, records);
    await ctx.save();
    if (records.some((s) => !s.insyncAt)) await waitOrInterrupt(ctx, ctx.settings.LIFEBOAT_DNS_POLL_MS);
  }
}
