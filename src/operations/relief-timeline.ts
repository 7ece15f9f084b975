import type { Relief, ShareChange } from '../core/relief';
import { reliefOf } from '../core/relief';
import type { OperationData } from './operation-types';
import { pacedStagesOf } from './steps/follow-capacity-records';

/**
 * The failing region's share per name over the operation, from what its steps recorded: a
 * stage takes effect when Route 53 has it in sync (a planned stage's await-dns, a paced
 * stage's insyncAt). Counted from the operation's acceptance (what users wait from) to its
 * end. Undefined for what is not an evacuation, and before the plan.
 */
export function reliefOfOperation(op: OperationData, endedAt: Date): Relief | undefined {
  const cp = op.checkpoint;
  const plan = cp.plan;
  if (op.intent.kind !== 'evacuate' || !plan?.region || !cp.snapshot) return undefined;
  const failing = plan.region;
  const initial = new Map(plan.names.map((n) => [n, cp.snapshot!.traffic.find((t) => t.name === n && t.region === failing)?.share ?? 0]));
  const changes: ShareChange[] = [];
  for (const s of pacedStagesOf(cp.steps)) if (s.insyncAt) changes.push({ name: s.name, at: Date.parse(s.insyncAt), share: s.failingShare });
  for (const step of cp.steps.filter((s) => s.kind === 'await-dns' && s.state === 'succeeded' && s.stage !== undefined && s.finishedAt)) {
    const stage = plan.stages.find((x) => x.index === step.stage);
    for (const t of stage?.traffic.filter((x) => x.region === failing) ?? []) changes.push({ name: t.name, at: Date.parse(step.finishedAt!), share: t.share });
  }
  return reliefOf({ startedAt: Date.parse(op.createdAt), endedAt: endedAt.getTime(), initial, changes });
}
