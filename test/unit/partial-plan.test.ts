import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import type { EvacuateIntent } from '../../src/core/intents';
import { planWithinObtainedCapacity } from '../../src/core/planner/partial-plan';
import { DEFAULT_PLAN_CONTEXT } from '../../src/core/planner/plan';
import { sharesToWeights } from '../../src/core/weights';
import { fleet } from '../support/fleet-fixture';

/**
 * The partial plan after a capacity timeout (found by the fault tests): it must move what
 * the capacity obtained can serve — not nothing — and its whole-number weights must not
 * round a region that is filled to its capacity above what that capacity serves.
 */

const ctx = { ...DEFAULT_PLAN_CONTEXT, models: loadModels() };
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const api = fleet([
  {
    name: 'api',
    dns: 'api.example.com',
    regions: Object.fromEntries(REGIONS.map((r) => [r, { desired: 6, min: 2, max: 20, weight: 100 }])),
  },
]);
const evacuate: EvacuateIntent = { kind: 'evacuate', region: 'us-east-1', services: ['api'], stages: 2 } as EvacuateIntent;

/** Share n instances serve under the proportional model, for a region that ran 6 at 1/3 (headroom 0.1). */
const servable = (n: number) => 1 / 3 + ((n - 6) * (1 / 3 / 6)) / 1.1;

describe('planWithinObtainedCapacity', () => {
  // us-west-2 obtained 7 of the 10 it asked for, eu-west-1 all 10.
  const p = planWithinObtainedCapacity(
    api,
    evacuate,
    [
      { region: 'us-west-2', group: 'api-us-west-2', inService: 7 },
      { region: 'eu-west-1', group: 'api-eu-west-1', inService: 10 },
    ],
    ctx,
  );

  it('still has stages when part of the traffic has nowhere to go (the shortfall is reported, what can move moves)', () => {
    expect(p.blockers.map((b) => b.code)).toEqual(['LB_ERR_SHORTFALL']);
    expect(p.stages).toHaveLength(2);
    const last = p.stages[1]!.traffic;
    expect(last.find((t) => t.region === 'us-east-1')!.share).toBeGreaterThan(0);
    expect(last.find((t) => t.region === 'us-east-1')!.share).toBeLessThan(1 / 3);
  });

  it('never loads a region that gains traffic beyond what it has in service, weights rounding included', () => {
    const obtained: Record<string, number> = { 'us-west-2': 7, 'eu-west-1': 10 };
    for (const stage of p.stages) {
      for (const load of stage.load.filter((l) => l.region !== 'us-east-1')) expect(load.loadFactor!).toBeLessThanOrEqual(1);
      for (const t of stage.traffic.filter((x) => x.region !== 'us-east-1')) expect(t.share).toBeLessThanOrEqual(servable(obtained[t.region]!) + 1e-12);
    }
  });
});

describe('sharesToWeights with ceilings', () => {
  it('rounds a region at its ceiling down, giving the unit to a region without one', () => {
    const shares = new Map([
      ['us-east-1', 0.0808080808080808],
      ['us-west-2', 0.3838383838383838],
      ['eu-west-1', 0.5353535353535354],
    ]);
    const current = new Map([
      ['us-east-1', 100],
      ['us-west-2', 100],
      ['eu-west-1', 100],
    ]);
    // Without ceilings eu-west-1 may round up past its share; with them, never.
    const ceilings = new Map([
      ['us-west-2', shares.get('us-west-2')!],
      ['eu-west-1', shares.get('eu-west-1')!],
    ]);
    const w = sharesToWeights(shares, current, ceilings);
    const total = [...w.values()].reduce((a, b) => a + b, 0);
    expect(w.get('eu-west-1')! / total).toBeLessThanOrEqual(shares.get('eu-west-1')!);
    expect(w.get('us-west-2')! / total).toBeLessThanOrEqual(shares.get('us-west-2')!);
    for (const [r, s] of shares) expect(Math.abs(w.get(r)! / total - s)).toBeLessThanOrEqual(1 / total + 1e-12);
  });
});
