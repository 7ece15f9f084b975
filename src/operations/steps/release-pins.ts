import { accountOf, keyOfGroup } from '../../core/fleet';
import type { GroupSizeUpdate } from '../../cloud/ports';
import type { OperationData } from '../operation-types';
import { pacedStagesOf } from './follow-capacity-records';
import { applySizes, readLive, releasingPins } from './group-sizes';
import { resumeWhatLifeboatSuspended } from './scheduled-actions';
import type { StepHandler } from './step-context';
import { planOf } from './step-context';

/**
 * After an operation failed or was cancelled without rollback (onFailure: unpin, the
 * default): every group its prescale pinned gets its own MinSize back and whatever lifeboat
 * suspended on it resumed, so no pin outlives the operation unannounced. While traffic it
 * moved is still where it went, DesiredCapacity and a MaxSize that holds it stay, for the
 * group's own scaling to bring down; once the weights are back where they started, MaxSize
 * returns too.
 */
export const releasePins: StepHandler = async (ctx) => {
  const { plan, snapshot } = planOf(ctx);
  const original = new Map(snapshot.groups.map((g) => [keyOfGroup(g), g]));
  const pinned = pinnedGroups(ctx.op);
  const live = await readLive(ctx, pinned);
  const moved = trafficStillMoved(ctx.op);
  const updates: GroupSizeUpdate[] = [];
  for (const pin of pinned) {
    const now = live.get(keyOfGroup(pin));
    const before = original.get(keyOfGroup(pin));
    // Someone else set it since: it is not lifeboat's pin any more.
    if (!now || !before || now.minSize < pin.minSize) continue;
    const maxSize = moved ? Math.max(before.maxSize, now.desiredCapacity) : before.maxSize;
    const desiredCapacity = Math.min(Math.max(now.desiredCapacity, before.minSize), maxSize);
    updates.push({ ...accountOf(pin), region: pin.region, group: pin.group, minSize: before.minSize, desiredCapacity, maxSize });
  }
  // A group back at the bounds its pin record (core/pins.ts) says it had loses the record.
  await applySizes(ctx, releasingPins(updates, live));
  const resumed = await resumeWhatLifeboatSuspended(ctx, plan.groupChanges);
  return {
    outcome: `${updates.length} pinned group(s) returned to their own scaling${resumed.length ? `; ScheduledActions resumed on ${resumed.length}` : ''}${moved ? ' (traffic it moved stays: MaxSize kept where it holds the capacity in service)' : ''}`,
    detail: { unpinned: updates, ...(resumed.length ? { resumed } : {}) },
  };
};

/** The sizes the prescale set, when it got as far as trying (its read-back lives in the next step): the plan's targets. */
export function pinnedGroups(op: OperationData): GroupSizeUpdate[] {
  const prescale = op.checkpoint.steps.find((s) => s.kind === 'prescale');
  if (!prescale || prescale.attempts === 0 || op.intent.kind === 'scale') return [];
  const written = prescale.detail?.updates as GroupSizeUpdate[] | undefined;
  return written ?? (op.checkpoint.plan?.groupChanges ?? []).map((c) => ({ ...accountOf(c), region: c.region, group: c.group, ...c.to }));
}

/** Whether traffic the operation moved is still moved: a stage applied and not rolled back to where it started. */
export function trafficStillMoved(op: OperationData): boolean {
  const cp = op.checkpoint;
  const applied = cp.steps.some((s) => (s.kind === 'apply-weights' && s.state === 'succeeded') || (s.kind === 'follow-capacity' && Array.isArray(s.detail?.stages) && s.detail.stages.length > 0));
  if (!applied) return false;
  if (cp.steps.some((s) => s.kind === 'rollback-weights' && s.state === 'succeeded')) return false;
  // Paced: some name's weights in force (its last recorded change: a stage, a fallback, a rollback) differ from those before.
  const paced = pacedStagesOf(cp.steps);
  if (paced.length > 0) {
    const before = new Map((cp.snapshot?.records ?? []).map((r) => [`${r.name}\u0000${r.region}`, r.weight]));
    return [...new Set(paced.map((s) => s.name))].some((name) => Object.entries(paced.filter((s) => s.name === name).at(-1)!.weights).some(([region, weight]) => before.get(`${name}\u0000${region}`) !== weight));
  }
  if (cp.fallback) return cp.fallback.weights.some((w) => cp.snapshot?.traffic.find((t) => t.name === w.name && t.region === w.region)?.weight !== w.weight);
  return !(cp.error?.code === 'LB_ERR_VERIFICATION_FAILED' && cp.error.details?.rolledBackTo === 0);
}
