import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import type { EvacuateIntent, ShiftIntent } from '../../src/core/intents';
import { serviceContexts } from '../../src/core/planner/capacity-targets';
import { indexFleet } from '../../src/core/planner/fleet-index';
import type { Move } from '../../src/core/planner/move-traffic';
import { sharesOfServicesWithoutTraffic, whereTrafficGoes } from '../../src/core/planner/move-traffic';
import type { Plan } from '../../src/core/planner/plan-types';
import type { ServiceSpec } from '../support/fleet-fixture';
import { fleet } from '../support/fleet-fixture';

/**
 * Where traffic goes, name by name (move-traffic.ts), called directly. Regions us-east-1,
 * us-west-2, eu-west-1. Every number is worked by hand in a comment.
 */
const models = loadModels();
const sizing = { model: models.get('proportional')!, models, maxSizeGrowth: 1 };
const API = 'api.example.com';

/** api on api.example.com, weighted 1/2/1 (shares 1/4, 1/2, 1/4), 4/8/4 instances; maxima as given. */
const api = (max: [number, number, number] = [10, 16, 10], name = 'api'): ServiceSpec => ({
  name,
  dns: API,
  regions: {
    'us-east-1': { desired: 4, min: 1, max: max[0], weight: 1 },
    'us-west-2': { desired: 8, min: 1, max: max[1], weight: 2 },
    'eu-west-1': { desired: 4, min: 1, max: max[2], weight: 1 },
  },
});

type Findings = Pick<Plan, 'blockers' | 'warnings'>;
const noFindings = (): Findings => ({ blockers: [], warnings: [] });
const evacuate = (extra: Partial<EvacuateIntent> = {}): EvacuateIntent => ({ kind: 'evacuate', region: 'us-east-1', ...extra });
const shift = (extra: Partial<ShiftIntent> = {}): ShiftIntent => ({ kind: 'shift', from: 'us-east-1', percent: 50, ...extra });
const evacuation: Move = { from: 'us-east-1', fraction: 1, to: undefined };

function moveOn(services: ServiceSpec[], intent: EvacuateIntent | ShiftIntent, move: Move, names: string[]) {
  const index = indexFleet(fleet(services));
  const { contexts } = serviceContexts(index, index.services, intent, sizing);
  const findings = noFindings();
  const moved = whereTrafficGoes(index, intent, move, names, contexts, findings);
  return { ...moved, findings };
}
const plain = (m: ReadonlyMap<string, number> | undefined) => (m ? Object.fromEntries(m) : undefined);

describe('where a name’s traffic goes, proportionally', () => {
  it('hands an evacuated region’s share to the others in proportion to what they serve', () => {
    const { before, after, findings } = moveOn([api()], evacuate(), evacuation, [API]);
    expect(findings).toEqual(noFindings());
    expect(plain(before.get(API))).toEqual({ 'us-east-1': 0.25, 'us-west-2': 0.5, 'eu-west-1': 0.25 });
    // 1/4 split 2 : 1 → us-west-2 1/2 + 1/6 = 2/3, eu-west-1 1/4 + 1/12 = 1/3.
    const a = after.get(API)!;
    expect(a.get('us-east-1')).toBe(0);
    expect(a.get('us-west-2')).toBeCloseTo(2 / 3, 12);
    expect(a.get('eu-west-1')).toBeCloseTo(1 / 3, 12);
  });

  it('moves only the fraction asked, and only to the regions named', () => {
    const { after, findings } = moveOn([api()], shift({ to: 'eu-west-1' }), { from: 'us-east-1', fraction: 0.5, to: ['eu-west-1'] }, [API]);
    expect(findings).toEqual(noFindings());
    // Half of 1/4 = 1/8 goes to eu-west-1 alone: 1/8, 1/2, 3/8.
    expect(after.get(API)!.get('us-east-1')).toBeCloseTo(0.125, 12);
    expect(after.get(API)!.get('us-west-2')).toBeCloseTo(0.5, 12);
    expect(after.get(API)!.get('eu-west-1')).toBeCloseTo(0.375, 12);
  });

  it('does not hand traffic to a named region the name has no record in, and says so', () => {
    const spec = api();
    delete spec.regions['us-west-2']!.weight;
    const { after, findings } = moveOn([spec], shift({ to: ['us-west-2', 'eu-west-1'] }), { from: 'us-east-1', fraction: 1, to: ['us-west-2', 'eu-west-1'] }, [API]);
    expect(findings.warnings).toEqual([
      { code: 'RECIPIENT_WITHOUT_RECORD', message: 'api.example.com has no weighted record for us-west-2; it cannot receive this traffic', details: { name: API, region: 'us-west-2' } },
    ]);
    expect(findings.blockers).toEqual([]);
    // Records in us-east-1 and eu-west-1 only, weights 1 : 1: all of us-east-1's half goes to eu-west-1.
    expect(plain(after.get(API))).toEqual({ 'us-east-1': 0, 'eu-west-1': 1 });
  });

  it('refuses a name whose only named recipient has no record for it', () => {
    const spec = api();
    delete spec.regions['us-west-2']!.weight;
    const { before, after, findings } = moveOn([spec], shift({ to: 'us-west-2' }), { from: 'us-east-1', fraction: 0.5, to: ['us-west-2'] }, [API]);
    expect(findings.warnings.map((w) => w.code)).toEqual(['RECIPIENT_WITHOUT_RECORD']);
    expect(findings.blockers).toEqual([
      { code: 'LB_ERR_NO_SERVING_REGION', message: 'moving api.example.com away from us-east-1 leaves no region serving it', details: { name: API, region: 'us-east-1' } },
    ]);
    expect(before.size).toBe(0);
    expect(after.size).toBe(0);
  });

  it('refuses a name no other region serves', () => {
    const alone: ServiceSpec = { name: 'api', dns: API, regions: { 'us-east-1': { desired: 4, weight: 1 }, 'us-west-2': { desired: 4, weight: 0 } } };
    const { after, findings } = moveOn([alone], evacuate(), evacuation, [API]);
    expect(findings.blockers.map((b) => b.code)).toEqual(['LB_ERR_NO_SERVING_REGION']);
    expect(after.size).toBe(0);
  });

  it('warns of a name without a record in the region, and of one without records at all, and moves neither', () => {
    const spec = api();
    delete spec.regions['us-east-1']!.weight;
    const { before, after, findings } = moveOn([spec], evacuate(), evacuation, [API, 'ghost.example.com']);
    expect(findings.warnings).toEqual([
      { code: 'NAME_WITHOUT_REGION_RECORD', message: 'api.example.com has no weighted record for us-east-1; nothing of it moves', details: { name: API, region: 'us-east-1' } },
      { code: 'NAME_WITHOUT_REGION_RECORD', message: 'ghost.example.com has no weighted record for us-east-1; nothing of it moves', details: { name: 'ghost.example.com', region: 'us-east-1' } },
    ]);
    expect(findings.blockers).toEqual([]);
    expect(before.size + after.size).toBe(0);
  });

  it('passes over, without a word, a name the region already serves none of', () => {
    const spec = api();
    spec.regions['us-east-1']!.weight = 0;
    const { after, findings } = moveOn([spec], evacuate(), evacuation, [API]);
    expect(findings).toEqual(noFindings());
    expect(after.size).toBe(0);
  });
});

describe('where a name’s traffic goes, to explicit target weights', () => {
  it('ends on the weights given, a region left out getting none', () => {
    const { after, findings } = moveOn([api()], evacuate({ distribution: { weights: { 'us-west-2': 3, 'eu-west-1': 1 } } }), evacuation, [API]);
    expect(findings).toEqual(noFindings());
    // 3 : 1 of 4, us-east-1 not named.
    expect(plain(after.get(API))).toEqual({ 'us-east-1': 0, 'us-west-2': 0.75, 'eu-west-1': 0.25 });
  });

  it('may send everything to one region', () => {
    const { after, findings } = moveOn([api()], evacuate({ distribution: { weights: { 'us-east-1': 0, 'eu-west-1': 7 } } }), evacuation, [API]);
    expect(findings).toEqual(noFindings());
    expect(plain(after.get(API))).toEqual({ 'us-east-1': 0, 'us-west-2': 0, 'eu-west-1': 1 });
  });

  it('refuses weights that keep traffic on the region being evacuated', () => {
    const { after, findings } = moveOn([api()], evacuate({ distribution: { weights: { 'us-east-1': 10, 'eu-west-1': 1 } } }), evacuation, [API]);
    expect(findings.blockers).toEqual([
      { code: 'LB_ERR_VALIDATION', message: 'distribution.weights gives us-east-1 weight 10, but it is being evacuated', details: { field: 'distribution.weights' } },
    ]);
    expect(after.size).toBe(0);
  });

  it('lets a shift keep weight on the region it shifts from', () => {
    const { after, findings } = moveOn([api()], shift({ distribution: { weights: { 'us-east-1': 1, 'us-west-2': 1 } } }), { from: 'us-east-1', fraction: 0.5, to: undefined }, [API]);
    expect(findings).toEqual(noFindings());
    expect(plain(after.get(API))).toEqual({ 'us-east-1': 0.5, 'us-west-2': 0.5, 'eu-west-1': 0 });
  });

  it('refuses weights that leave no region serving the name', () => {
    const { after, findings } = moveOn([api()], shift({ distribution: { weights: { 'us-east-1': 0 } } }), { from: 'us-east-1', fraction: 0.5, to: undefined }, [API]);
    expect(findings.blockers).toEqual([
      { code: 'LB_ERR_NO_SERVING_REGION', message: 'moving api.example.com away from us-east-1 leaves no region serving it', details: { name: API, region: 'us-east-1' } },
    ]);
    expect(after.size).toBe(0);
  });
});

describe('where a name’s traffic goes, capacity-aware', () => {
  /*
   * Proportional model, headroom 0.1, shares 1/4, 1/2, 1/4 at 4/8/4 instances: 16 instances per unit of share.
   * A region can serve its share plus (ceiling − current) ÷ 16 ÷ 1.1 more:
   *   api  (max 10/16/4):  us-west-2 1/2 + 8/17.6 = 0.9545…, eu-west-1 1/4 + 0 = 1/4 (no room);
   *   edge (max 10/9/10):  us-west-2 1/2 + 1/17.6 = 0.5568…, eu-west-1 1/4 + 6/17.6 = 0.5909….
   * The name takes the tighter of its services per region: us-west-2 0.5568…, eu-west-1 1/4.
   */
  const tight = [api([10, 16, 4]), api([10, 9, 10], 'edge')];
  const aware = evacuate({ distribution: 'capacity-aware' });

  it('sends only what the tightest service on the name can take, and blocks on the rest as a shortfall', () => {
    const { after, findings } = moveOn(tight, aware, evacuation, [API]);
    // Of the 1/4 leaving, us-west-2 takes 1/17.6 = 0.0568 (5.7 %) and eu-west-1 nothing: 0.1932 stays in us-east-1.
    const unplaced = 0.25 - 1 / 17.6;
    expect(findings.blockers).toHaveLength(1);
    expect(findings.blockers[0]).toMatchObject({ code: 'LB_ERR_SHORTFALL', details: { name: API, region: 'us-east-1' } });
    expect(findings.blockers[0]!.message).toBe('api.example.com: the other regions can take only 5.7% of the 25.0% leaving us-east-1 under their ceilings');
    expect(findings.blockers[0]!.details!.unplaced as number).toBeCloseTo(unplaced, 9);
    const a = after.get(API)!;
    expect(a.get('us-east-1')).toBeCloseTo(unplaced, 9);
    expect(a.get('us-west-2')).toBeCloseTo(0.5 + 1 / 17.6, 9);
    expect(a.get('eu-west-1')).toBeCloseTo(0.25, 9);
  });

  it('is not held back by a service on another name', () => {
    // img.example.com runs at its maximum everywhere: it could take none of api.example.com's traffic, but it is not on that name.
    const img: ServiceSpec = { name: 'img', dns: 'img.example.com', regions: { 'us-east-1': { desired: 4, max: 4, weight: 1 }, 'us-west-2': { desired: 4, max: 4, weight: 1 }, 'eu-west-1': { desired: 4, max: 4, weight: 1 } } };
    const { findings } = moveOn([api(), img], aware, evacuation, [API]);
    // api alone (max 10/16/10): us-west-2 0.9545, eu-west-1 1/4 + 6/17.6 = 0.5909 — room for the 1/4 split 2 : 1.
    expect(findings).toEqual(noFindings());
  });

  it('ignores the ceilings when proportional', () => {
    const { after, findings } = moveOn(tight, evacuate(), evacuation, [API]);
    expect(findings).toEqual(noFindings());
    expect(after.get(API)!.get('us-west-2')).toBeCloseTo(2 / 3, 12);
  });
});

describe('services without a traffic record', () => {
  const worker = (regions: ServiceSpec['regions']): ServiceSpec => ({ name: 'worker', regions });
  function sharesOn(services: ServiceSpec[], move: Move) {
    const index = indexFleet(fleet(services));
    const { contexts } = serviceContexts(index, index.services, evacuate(), sizing);
    const findings = noFindings();
    return { shares: sharesOfServicesWithoutTraffic(index, contexts, move, findings), findings };
  }

  it('follow their own capacity share, moved to the others in proportion', () => {
    // 6/3/3 instances: 1/2, 1/4, 1/4; evacuating us-east-1 splits its half 1 : 1.
    const { shares, findings } = sharesOn([api(), worker({ 'us-east-1': { desired: 6 }, 'us-west-2': { desired: 3 }, 'eu-west-1': { desired: 3 } })], evacuation);
    expect(findings).toEqual(noFindings());
    expect([...shares.keys()]).toEqual(['worker']);
    expect(shares.get('worker')).toEqual({ before: [0.5, 0.25, 0.25], after: [0, 0.5, 0.5] });
  });

  it('move by the fraction asked to the regions named', () => {
    // Half of 1/2 to eu-west-1: 1/4, 1/4, 1/2.
    const { shares } = sharesOn([worker({ 'us-east-1': { desired: 6 }, 'us-west-2': { desired: 3 }, 'eu-west-1': { desired: 3 } })], { from: 'us-east-1', fraction: 0.5, to: ['eu-west-1'] });
    expect(shares.get('worker')!.after).toEqual([0.25, 0.25, 0.5]);
  });

  it('are left alone when they run nothing in the region', () => {
    const { shares, findings } = sharesOn([worker({ 'us-west-2': { desired: 3 }, 'eu-west-1': { desired: 3 } })], evacuation);
    expect(findings).toEqual(noFindings());
    expect(shares.size).toBe(0);
  });

  it('are refused when they run only in the region', () => {
    const { shares, findings } = sharesOn([worker({ 'us-east-1': { desired: 6 } })], evacuation);
    expect(shares.size).toBe(0);
    expect(findings.blockers).toEqual([
      {
        code: 'LB_ERR_NO_SERVING_REGION',
        message: 'worker runs only in us-east-1 and has no traffic record (lifeboat:traffic) to steer: evacuating us-east-1 leaves no region serving it',
        details: { service: 'worker', region: 'us-east-1' },
      },
    ]);
  });
});
