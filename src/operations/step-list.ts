import type { Plan } from '../core/planner/plan-types';
import type { StepKind, StepRecord } from './operation-types';

function step(kind: StepKind, title: string, stage?: number): StepRecord {
  return { id: stage !== undefined ? `stage-${stage}/${kind}` : kind, kind, ...(stage !== undefined ? { stage } : {}), title, state: 'pending', attempts: 0 };
}

export const guardStep = (): StepRecord => step('guard', 'Check the plan is safe and take the regions');

/** The steps that carry out a plan, after the guard: act, then wait for the world to match. */
export function stepsForPlan(plan: Plan): StepRecord[] {
  const steps: StepRecord[] = [];
  const pools = plan.warmPoolChanges?.length ?? 0;
  if (pools > 0) steps.push(step('set-warm-pools', `Set ${pools} warm pool(s) and read them back`));
  if (plan.groupChanges.length > 0) {
    steps.push(step('prescale', `Prescale ${plan.groupChanges.length} group(s)`));
    steps.push(step('await-capacity', 'Wait until the capacity is in service'));
  }
  steps.push(...stageSteps(plan));
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

/** Undo what was done, in the safe order: traffic back first, capacity last. */
export function rollbackSteps(): StepRecord[] {
  return [
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
