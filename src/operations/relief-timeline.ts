import type { NameWeight, Relief, WeightsTakingEffect } from '../core/relief';
import { reliefOf, shareChangesOf } from '../core/relief';
import type { OperationData } from './operation-types';
import { pacedStagesOf } from './steps/follow-capacity-records';

/**
 * The failing region's share per name over the operation, from every weight change its steps
 * recorded, each when Route 53 had it in sync: a planned stage (its await-dns), a paced stage,
 * a fallback to what the capacity in service serves and a rollback (a paced record, or
 * checkpoint.weightChanges), the rollback steps after a cancel, and the region's switch.
 * Counted from the operation's acceptance (what users wait from) to its end. Undefined for
 * what is not an evacuation, and before the plan.
 */
export function reliefOfOperation(op: OperationData, endedAt: Date): Relief | undefined {
  const cp = op.checkpoint;
  const plan = cp.plan;
  const snapshot = cp.snapshot;
  if (op.intent.kind !== 'evacuate' || !plan?.region || !snapshot) return undefined;
  const failing = plan.region;
  const names = new Set(plan.names);
  const initialWeights: NameWeight[] = snapshot.records.filter((r) => names.has(r.name)).map((r) => ({ name: r.name, region: r.region, weight: r.weight }));
  const events: WeightsTakingEffect[] = [];
  for (const s of pacedStagesOf(cp.steps)) {
    if (s.insyncAt) events.push({ at: Date.parse(s.insyncAt), weights: Object.entries(s.weights).map(([region, weight]) => ({ name: s.name, region, weight })) });
  }
  for (const step of cp.steps.filter((s) => s.kind === 'await-dns' && s.state === 'succeeded' && s.stage !== undefined && s.finishedAt)) {
    const stage = plan.stages.find((x) => x.index === step.stage);
    events.push({ at: Date.parse(step.finishedAt!), weights: (stage?.traffic ?? []).map((t) => ({ name: t.name, region: t.region, weight: t.weight })) });
  }
  for (const c of cp.weightChanges ?? []) events.push({ at: Date.parse(c.at), weights: c.weights });
  // After a cancel with rollback: every record of the names back to its weight before.
  for (const step of cp.steps.filter((s) => s.kind === 'rollback-dns' && s.state === 'succeeded' && s.finishedAt)) events.push({ at: Date.parse(step.finishedAt!), weights: initialWeights });
  if (cp.switchUsed) events.push({ at: Date.parse(cp.switchUsed.at), weights: [], switchedOff: true });
  const initial = new Map(plan.names.map((n) => [n, snapshot.traffic.find((t) => t.name === n && t.region === failing)?.share ?? 0]));
  return reliefOf({ startedAt: Date.parse(op.createdAt), endedAt: endedAt.getTime(), initial, changes: shareChangesOf(initialWeights, events, failing) });
}
