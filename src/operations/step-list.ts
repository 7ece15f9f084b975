import { paceOf } from '../core/planner/capacity-pace';
import type { Plan } from '../core/planner/plan-types';
import type { StepKind, StepRecord } from './operation-types';

function step(kind: StepKind, title: string, stage?: number): StepRecord {
  return { id: stage !== undefined ? `stage-${stage}/${kind}` : kind, kind, ...(stage !== undefined ? { stage } : {}), title, state: 'pending', attempts: 0 };
}

export const guardStep = (): StepRecord => step('guard', 'Check the plan is safe and take the regions');

/** The steps that carry out a plan, after the guard: act, then wait for the world to match. */
export function stepsForPlan(plan: Plan): StepRecord[] {
  if (plan.switches) return [step('prepare-switches', `Prepare ${plan.switches.changes.length} switch change(s) in ${plan.regions.join(', ')}`)];
  const steps: StepRecord[] = [];
  const pools = plan.warmPoolChanges?.length ?? 0;
  if (pools > 0) steps.push(step('set-warm-pools', `Set ${pools} warm pool(s) and read them back`));
  const paced = paceOf(plan.intent) === 'capacity';
  // Paced by capacity, the headroom moves before the prescale, whose writes take a while under Auto Scaling's quotas.
  if (paced && plan.groupChanges.length > 0) steps.push({ ...step('follow-capacity', 'Move at once what the capacity already in service serves'), id: 'follow-capacity/headroom' });
  if (plan.groupChanges.length > 0) {
    steps.push(step('prescale', `Prescale ${plan.groupChanges.length} group(s)`));
    if (!paced) steps.push(step('await-capacity', 'Wait until the capacity is in service'));
  }
  if (paced) steps.push(step('follow-capacity', `Move ${plan.names.length} name(s) as capacity comes into service: each stage within what is in service, in sync, dwelt and verified`));
  else steps.push(...stageSteps(plan));
  // A region that left through its switch: back on once the first stage's weights are in sync
  // (it comes back at that stage's share), or at once when no weight has to move.
  if (plan.switchOn) {
    const on = step('switch-on', `Turn the switch of ${plan.switchOn.region} back on`);
    const firstInSync = steps.findIndex((s) => s.kind === 'await-dns');
    steps.splice(firstInSync >= 0 ? firstInSync + 1 : steps.findIndex((s) => s.kind === 'finalize') >= 0 ? steps.findIndex((s) => s.kind === 'finalize') : steps.length, 0, on);
  }
  if (plan.finalGroupChanges.length > 0) steps.push(step('finalize', `Return ${plan.finalGroupChanges.length} group(s) to their own scaling`));
  return steps;
}

export function stageSteps(plan: Plan): StepRecord[] {
  return plan.stages.flatMap((s) => [
    step('apply-weights', `Stage ${s.index}: set ${s.weights.length} weight(s) (${s.percent}% of the move)`, s.index),
    step('await-dns', `Stage ${s.index}: wait until Route 53 is in sync`, s.index),
    step('dwell', `Stage ${s.index}: dwell at least the record TTL`, s.index),
    step('verify', `Stage ${s.index}: verify the regions are still at capacity`, s.index),
  ]);
}

/**
 * Undo what was done, in the safe order: traffic back first, capacity last. A restore whose
 * switch-on step ran (even an attempt that failed may have turned it) turns the switch off first,
 * so the region is out through its switch again, as the evacuation record says.
 */
export function rollbackSteps(done: readonly StepRecord[], plan: Plan | undefined): StepRecord[] {
  const switchTurned = done.some((s) => s.kind === 'switch-on' && s.attempts > 0);
  const switchOff = plan?.switchOn && switchTurned ? [{ ...step('rollback-switch', `Roll back: turn the switch of ${plan.switchOn.region} off again`), id: 'rollback/switch' }] : [];
  return [
    ...switchOff,
    { ...step('rollback-weights', 'Roll back: put the weights back as they were'), id: 'rollback/weights' },
    { ...step('rollback-dns', 'Roll back: wait until Route 53 is in sync'), id: 'rollback/await-dns' },
    { ...step('dwell', 'Roll back: dwell at least the record TTL'), id: 'rollback/dwell' },
    { ...step('rollback-capacity', 'Roll back: return groups to their sizes before the operation'), id: 'rollback/capacity' },
  ];
}

/** After a failure or a cancel without rollback: let go of the groups the operation pinned (onFailure: unpin). */
export function releasePinsStep(): StepRecord {
  return { ...step('release-pins', 'After the failure: let go of the groups this operation pinned'), id: 'after-failure/release-pins' };
}
