import type { DemoFleetSpec } from '../../src/sandbox/fleet/seed-fleet';
import type { OperationView, ViewStep } from '../../src/operations/operation-views';
import { getOperation } from '../../src/operations/activity';
import { submitOperation } from '../../src/operations/submit-operation';
import type { TestLifeboat } from './harness';

/** What the fault tests share: a small fleet, submitting, watching steps, and their figures. */

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const each = <T>(spec: T) => Object.fromEntries(REGIONS.map((r) => [r, { ...spec }]));

/**
 * Two services in three regions: `api` (one group per region) and `web` (three groups per
 * region, so a prescale sends several updates to one region at once).
 */
export const FAULT_FLEET: DemoFleetSpec = {
  regions: REGIONS,
  services: [
    { name: 'api', dns: 'api.example.com', regions: each({ desired: 6, min: 2, max: 20, weight: 100 }) },
    { name: 'web', dns: 'www.example.com', regions: each({ desired: 6, min: 3, max: 24, weight: 100, groups: 3 }) },
  ],
};

export const FINISHED = ['succeeded', 'failed', 'refused', 'cancelled'];

export async function submit(lb: TestLifeboat, body: Record<string, unknown>): Promise<string> {
  const submitted = await submitOperation(body, { actor: 'test' }, lb.deps);
  if (submitted.dryRun) throw new Error('unexpected dry run');
  return submitted.operation.id;
}

/** Polls until the step reaches `state`; fails at once if the operation finishes first. */
export async function untilStep(lb: TestLifeboat, id: string, stepId: string, state: ViewStep['state'] = 'running', timeoutMs = 30_000): Promise<OperationView> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const view = await getOperation(id, lb.deps);
    if (view.steps.some((s) => s.id === stepId && s.state === state)) return view;
    if (FINISHED.includes(view.state)) throw new Error(`operation ${id} ${view.state} before ${stepId} was ${state}: ${JSON.stringify(view.error ?? view.steps.map((s) => [s.id, s.state]))}`);
    if (Date.now() > until) throw new Error(`${stepId} not ${state} within ${timeoutMs} ms: ${JSON.stringify(view.steps.map((s) => [s.id, s.state]))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function stepOf(view: OperationView, id: string): ViewStep {
  const step = view.steps.find((s) => s.id === id);
  if (!step) throw new Error(`operation ${view.id} has no step ${id}: ${view.steps.map((s) => s.id).join(', ')}`);
  return step;
}

export const at = (iso: string | undefined): number => {
  if (!iso) throw new Error('no timestamp');
  return Date.parse(iso);
};

/** How long a step took, first start to finish (across a takeover). */
export function stepMs(view: OperationView, id: string): number {
  const s = stepOf(view, id);
  return at(s.finishedAt) - at(s.startedAt);
}

export function operationMs(view: OperationView): number {
  return at(view.finishedAt) - at(view.startedAt);
}

/** One compact line per scenario, for the issue's closing note. */
export function figures(scenario: string, values: Record<string, string | number>): void {
  console.log(`[faults] ${scenario}: ${Object.entries(values).map(([k, v]) => `${k}=${v}`).join(' ')}`);
}

/** Traffic share per region of one name, from its weights (all zero: equal shares, as Route 53 does). */
export function sharesOf(weights: Record<string, number>): Record<string, number> {
  const total = Object.values(weights).reduce((a, w) => a + w, 0);
  const n = Object.keys(weights).length;
  return Object.fromEntries(Object.entries(weights).map(([r, w]) => [r, total === 0 ? 1 / n : w / total]));
}
