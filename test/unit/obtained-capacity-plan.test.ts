import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import type { EvacuateIntent } from '../../src/core/intents';
import { compileModel } from '../../src/core/models/capacity-model';
import { planWithinObtainedCapacity } from '../../src/core/planner/partial-plan';
import { DEFAULT_PLAN_CONTEXT } from '../../src/core/planner/plan';
import { fleet } from '../support/fleet-fixture';

/**
 * What the partial plan after a capacity timeout sizes against: each group's capacity in
 * service taken as its MaxSize, summed per service and region for the models, and no MaxSize
 * growth. A model that runs every region gaining traffic at its MaxSize shows the sums.
 */
const upToMax = compileModel(
  'up-to-max.yaml',
  `name: up-to-max
description: A region that gains traffic runs as many instances as its MaxSize allows; the others keep theirs.
parameters: {}
expressions:
  required: "wholeInstances(where(targetShare > share, maxSize, current))"
  servable: "where(instances > 0, 1, 0)"
`,
);
const ctx = { ...DEFAULT_PLAN_CONTEXT, models: new Map([...loadModels(), ['up-to-max', upToMax]]) };

// api: 6 instances (MaxSize 20) in each region at equal weights; us-west-2 runs two groups of 3 (MaxSize 10 each).
const api = fleet([
  {
    name: 'api',
    dns: 'api.example.com',
    regions: {
      'us-east-1': { desired: 6, min: 2, max: 20, weight: 100 },
      'us-west-2': { desired: 6, min: 2, max: 20, weight: 100, groups: 2 },
      'eu-west-1': { desired: 6, min: 2, max: 20, weight: 100 },
    },
  },
]);

/**
 * api-us-west-2-1 has 4 in service, api-eu-west-1 has 7; api-us-west-2-2 is not reported (keeps MaxSize 10).
 * Planned inside each test, not when the file is collected: Stryker counts code run at collection as static.
 */
function partialPlan() {
  return planWithinObtainedCapacity(
    api,
    { kind: 'evacuate', region: 'us-east-1', model: 'up-to-max', maxSizeGrowth: 2 } as EvacuateIntent,
    [
      { region: 'us-west-2', group: 'api-us-west-2-1', inService: 4 },
      { region: 'eu-west-1', group: 'api-eu-west-1', inService: 7 },
    ],
    ctx,
  );
}

describe('planWithinObtainedCapacity: what it sizes against', () => {

  it('gives the model each region’s MaxSize as the sum over its groups of what each has in service, or its MaxSize when not reported', () => {
    // us-west-2: 4 (obtained) + 10 (MaxSize of the group not reported) = 14; eu-west-1: 7.
    const p = partialPlan();
    const target = (region: string) => p.services[0]!.regions.find((r) => r.region === region)!;
    expect(p.services).toHaveLength(1);
    expect(target('us-west-2').required).toBe(14);
    expect(target('eu-west-1').required).toBe(7);
  });

  it('allows no MaxSize growth, whatever the intent asked, and distributes by capacity', () => {
    // Ceilings at growth 1: us-west-2 4 + 10 = 14, eu-west-1 7 (at the intent's 2 they would be 28 and 14).
    const p = partialPlan();
    const target = (region: string) => p.services[0]!.regions.find((r) => r.region === region)!;
    expect(p.maxSizeGrowth).toBe(1);
    expect(target('us-west-2').ceiling).toBe(14);
    expect(target('eu-west-1').ceiling).toBe(7);
    expect(p.intent).toMatchObject({ kind: 'evacuate', region: 'us-east-1', distribution: 'capacity-aware', maxSizeGrowth: 1 });
  });
});
