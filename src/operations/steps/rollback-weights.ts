import { setAndVerifyWeights } from './stage-weights';
import type { StepHandler } from './step-context';
import { planOf } from './step-context';

/** Every weighted record of the names the plan moves goes back to its weight in the snapshot. */
export const rollbackWeights: StepHandler = async (ctx) => {
  const { plan, snapshot } = planOf(ctx);
  const names = new Set(plan.names);
  const records = snapshot.records.filter((r) => names.has(r.name));
  const now = await ctx.cloud.readWeights(records);
  const changes = records
    .map((r, i) => ({ zoneId: r.zoneId, name: r.name, type: r.type, setIdentifier: r.setIdentifier, region: r.region, from: now[i], to: r.weight }))
    .filter((c) => c.from !== undefined && c.from !== c.to);
  if (changes.length === 0) return { outcome: 'weights already as they were', detail: { changeIds: [] } };
  return setAndVerifyWeights(ctx, changes);
};
