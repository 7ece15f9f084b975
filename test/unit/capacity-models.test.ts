import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import { compileModel } from '../../src/core/models/capacity-model';
import type { ServiceModelInputs } from '../../src/core/models/evaluate-model';
import { requiredInstances, resolveParameters, servableShare } from '../../src/core/models/evaluate-model';

const models = loadModels();
const model = (name: string) => {
  const m = models.get(name);
  if (!m) throw new Error(`model ${name} not shipped`);
  return m;
};

function inputs(partial: Partial<ServiceModelInputs>): ServiceModelInputs {
  const regions = partial.regions ?? ['us-east-1', 'us-west-2', 'eu-west-1'];
  const n = regions.length;
  return {
    service: 'api',
    regions,
    current: new Array(n).fill(10),
    inService: new Array(n).fill(10),
    minSize: new Array(n).fill(2),
    maxSize: new Array(n).fill(100),
    share: new Array(n).fill(1 / n),
    targetShare: new Array(n).fill(1 / n),
    capacityPerInstance: new Array(n).fill(NaN),
    ...partial,
  };
}

describe('shipped models', () => {
  it('loads proportional, measured, throughput and erlang-c from models/', () => {
    expect([...models.keys()].sort()).toEqual(['erlang-c', 'measured', 'proportional', 'throughput']);
  });
});

describe('proportional model', () => {
  const m = model('proportional');

  it('scales survivors of an evacuation by the share they absorb, with 10% headroom on it', () => {
    // By hand: 10 instances at 1/3 share → 30 per unit of share. Going to 1/2 absorbs 1/6:
    // 30 × 1/6 = 5 more, × 1.1 = 5.5 → 10 + 5.5 = 15.5 → 16. The evacuated region needs 0.
    const req = requiredInstances(m, inputs({ targetShare: [0, 0.5, 0.5] }), resolveParameters(m));
    expect(req).toEqual([0, 16, 16]);
  });

  it('uses each region’s own instances per unit of share', () => {
    // us-west-2: 20 instances at 0.5 → 40 per unit; absorbs 0.25 → 10, × 1.2 = 12 → 32.
    // eu-west-1: 6 instances at 0.2 → 30 per unit; absorbs 0.05 → 1.5, × 1.2 = 1.8 → 7.8 → 8.
    const req = requiredInstances(
      m,
      inputs({ current: [9, 20, 6], share: [0.3, 0.5, 0.2], targetShare: [0, 0.75, 0.25] }),
      resolveParameters(m, { headroom: 0.2 }),
    );
    expect(req).toEqual([0, 32, 8]);
  });

  it('does not let float noise add an instance: 10 + 30 × (1/2 − 1/3) with no headroom is 15', () => {
    const req = requiredInstances(m, inputs({ targetShare: [0, 0.5, 0.5] }), resolveParameters(m, { headroom: 0 }));
    expect(req).toEqual([0, 15, 15]);
  });

  it('sizes a region with no share today from the capacity per share of the others', () => {
    // Serving regions run 10 + 30 = 40 instances for the whole traffic; 0.25 of it needs 10, × 1.1 = 11.
    // us-west-2 drops from 0.75 to 0.5: it needs 40 × 0.5 = 20 (lifeboat never shrinks it; the planner decides).
    const req = requiredInstances(
      m,
      inputs({ current: [10, 30, 0], share: [0.25, 0.75, 0], targetShare: [0.25, 0.5, 0.25] }),
      resolveParameters(m),
    );
    expect(req).toEqual([10, 20, 11]);
  });

  it('counts the instances of a region that serves nothing as idle, not as already busy', () => {
    // us-east-1 was evacuated but kept 10 instances; the others run 16 each for half the traffic each:
    // 32 per unit of share. Getting 1/6 back needs 32 / 6 × 1.1 = 5.9 → 6 (which its 10 cover).
    const req = requiredInstances(
      m,
      inputs({ current: [10, 16, 16], share: [0, 0.5, 0.5], targetShare: [1 / 6, 5 / 12, 5 / 12] }),
      resolveParameters(m),
    );
    expect(req[0]).toBe(6);
    const servable = servableShare(m, inputs({ current: [10, 16, 16], share: [0, 0.5, 0.5] }), [10, 16, 16], resolveParameters(m));
    expect(servable[0]).toBeCloseTo(10 / 32 / 1.1, 9);
  });

  it('says what share given instances can serve (the inverse of required)', () => {
    // 30 per unit of share: 10 instances serve today's 1/3; 22 serve 1/3 + 12/30/1.1;
    // 33 would serve more than all of it, so 1.
    const servable = servableShare(m, inputs({}), [10, 22, 33], resolveParameters(m));
    expect(servable[0]).toBeCloseTo(1 / 3, 9);
    expect(servable[1]).toBeCloseTo(1 / 3 + 12 / 30 / 1.1, 9);
    expect(servable[2]).toBe(1);
  });
});

describe('throughput model', () => {
  const m = model('throughput');

  it('needs demand × share ÷ (capacity per instance × utilization)', () => {
    // 12,000 rps × 0.5 ÷ (100 rps × 0.6) = 100 instances; eu-west-1: 12,000 × 0.5 ÷ (150 × 0.75) = 53.3 → 54.
    const req = requiredInstances(
      m,
      inputs({ targetShare: [0, 0.5, 0.5], capacityPerInstance: [100, 100, 150] }),
      { demand: 12000, utilization: 0.6 },
    );
    expect(req.slice(0, 2)).toEqual([0, 100]);
    const eu = requiredInstances(m, inputs({ targetShare: [0, 0.5, 0.5], capacityPerInstance: [100, 100, 150] }), {
      demand: 12000,
      utilization: 0.75,
    });
    expect(eu[2]).toBe(54);
  });

  it('refuses to run without a demand figure, naming the parameter', () => {
    expect(() => resolveParameters(m, {}, 'api')).toThrow(/needs parameter demand \(requests\/s/);
  });

  it('refuses a parameter outside its declared range', () => {
    expect(() => resolveParameters(m, { demand: 10, utilization: 1.5 })).toThrow(/outside its range/);
  });

  it('names the region whose groups lack capacity-per-instance when it must carry traffic', () => {
    const run = () =>
      requiredInstances(m, inputs({ targetShare: [0, 0.5, 0.5], capacityPerInstance: [100, NaN, 100] }), {
        demand: 1000,
        utilization: 0.6,
      });
    expect(run).toThrow(/api in us-west-2: input capacityPerInstance is unknown/);
  });

  it('does not need capacity-per-instance where the region ends with no traffic', () => {
    const req = requiredInstances(m, inputs({ targetShare: [0, 0.5, 0.5], capacityPerInstance: [NaN, 100, 100] }), {
      demand: 1200,
      utilization: 0.6,
    });
    expect(req).toEqual([0, 10, 10]);
  });
});

describe('erlang-c model', () => {
  const m = model('erlang-c');

  it('sizes hundreds of servers exactly: 50,000 rps at 100 rps per instance is 500 erlangs → 525 instances for P(wait) ≤ 0.2', () => {
    // 525 from test/reference/erlang_reference.py (C(525, 500) = 0.1864, C(524, 500) = 0.2019).
    const params = resolveParameters(m, { demand: 100000 });
    const req = requiredInstances(m, inputs({ targetShare: [0, 0.5, 0.5], capacityPerInstance: [100, 100, 100] }), params);
    expect(req).toEqual([0, 525, 525]);
  });

  it('finds the share a region can serve by bisection when the model has no servable expression', () => {
    const params = resolveParameters(m, { demand: 100000 });
    const servable = servableShare(m, inputs({ capacityPerInstance: [100, 100, 100] }), [0, 525, 524], params);
    // 525 servers carry 500 erlangs (share 0.5) but 524 do not.
    expect(servable[0]).toBe(0);
    expect(servable[1]).toBeGreaterThanOrEqual(0.5);
    expect(servable[2]).toBeLessThan(0.5);
  });
});

describe('model files that are wrong', () => {
  const good = `name: demo
description: d
parameters:
  headroom: {description: h, unit: fraction, default: 0.1, min: 0, max: 1}
expressions:
  required: "wholeInstances(current .* (1 + headroom))"
`;

  it('compiles a valid file', () => {
    expect(compileModel('models/demo.yaml', good).name).toBe('demo');
  });

  it.each([
    ['a YAML syntax error, with its line', 'name: demo\ndescription: [unclosed\n', /models\/demo.yaml: line \d+:/],
    ['a missing required expression', 'name: demo\ndescription: d\nexpressions:\n  x: "1"\n', /expressions: must define `required`/],
    ['a name that is not the file name', good.replace('name: demo', 'name: other'), /models\/demo.yaml: name: "other" must match/],
    ['a default above max', good.replace('default: 0.1', 'default: 2'), /parameters.headroom.default: 2 is above max 1/],
    ['an unknown symbol', good.replace('headroom))', 'headrom))'), /expressions.required: unknown symbol "headrom"/],
    ['an unknown function', good.replace('wholeInstances', 'wholeInstance'), /expressions.required: unknown function "wholeInstance"/],
    ['an expression that does not parse', good.replace('(1 + headroom))', '(1 + ))'), /expressions.required: does not parse/],
    ['an unknown field', good + 'colour: blue\n', /models\/demo.yaml: \(top level\): Unrecognized key/],
    ['a parameter without a unit', good.replace('unit: fraction, ', ''), /parameters.headroom.unit:/],
  ])('rejects %s, naming the file and the field', (_what, text, message) => {
    expect(() => compileModel('models/demo.yaml', text)).toThrow(message);
  });

  it('rejects a required expression that reads `instances`', () => {
    expect(() => compileModel('models/demo.yaml', good.replace('current .*', 'instances .*'))).toThrow(/cannot use `instances`/);
  });

  it('fails a model that asks erlangC about a trillion servers, quickly and with the expression named', () => {
    const huge = good.replace('wholeInstances(current .* (1 + headroom))', 'wholeInstances(current .* (1 + erlangC(current * 1e11, current)))');
    const m = compileModel('models/demo.yaml', huge);
    expect(() => requiredInstances(m, inputs({}), { headroom: 0.1 })).toThrow(/expressions.required failed: servers must be at most 100000/);
  });

  it('does not let an expression reach outside its scope', () => {
    const sneaky = good.replace('wholeInstances(current .* (1 + headroom))', 'evaluate(\\"1+1\\")');
    const m = compileModel('models/demo.yaml', sneaky);
    expect(() => requiredInstances(m, inputs({}), { headroom: 0.1 })).toThrow(/disabled/);
  });
});
