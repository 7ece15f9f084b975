import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json';
import type { Plan } from '../core/planner/plan-types';

/** SHA-256 of what a plan changes (group sizes and weights), for the audit trail. */
export function planHash(plan: Plan): string {
  const changes = {
    groupChanges: plan.groupChanges.map((c) => [c.region, c.group, c.to]),
    stages: plan.stages.map((s) => s.weights.map((w) => [w.zoneId, w.name, w.type, w.setIdentifier, w.to])),
    finalGroupChanges: plan.finalGroupChanges.map((c) => [c.region, c.group, c.to]),
  };
  return createHash('sha256').update(canonicalJson(changes)).digest('hex');
}
