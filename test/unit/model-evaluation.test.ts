import { describe, expect, it } from 'vitest';
import { thrownLifeboatError } from '../support/thrown';
import { compileModel } from '../../src/core/models/capacity-model';
import type { ServiceModelInputs } from '../../src/core/models/evaluate-model';
import { requiredInstances, resolveParameters, servableShare } from '../../src/core/models/evaluate-model';

const thrown = thrownLifeboatError;

/** A model named demo with these expressions and parameters (YAML flow lines). */
const model = (expressions: Record<string, string>, parameters: Record<string, string> = {}) =>
  compileModel(
    'models/demo.yaml',
    `name: demo\ndescription: d\nparameters:\n${Object.entries(parameters)
      .map(([k, v]) => `  ${k}: {${v}}\n`)
      .join('') || '  {}\n'}expressions:\n${Object.entries(expressions)
      .map(([k, v]) => `  ${k}: "${v}"\n`)
      .join('')}`.replace('parameters:\n  {}\n', ''),
  );

/** Three regions running 10 instances each, a third of the traffic each, no tags and no measured load. */
function inputs(partial: Partial<ServiceModelInputs> = {}): ServiceModelInputs {
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

describe('parameters for one evaluation', () => {
  const m = model({ required: 'current' }, { h: 'description: headroom, unit: fraction, default: 0.1, min: 0, max: 1', d: 'description: demand, unit: rps' });

  it('takes the override over the default, even an override of 0, and gives only the declared parameters', () => {
    expect(resolveParameters(m, { h: 0, d: 5 })).toEqual({ h: 0, d: 5 });
    expect(resolveParameters(m, { d: 5 })).toEqual({ h: 0.1, d: 5 });
  });

  it('refuses a parameter the model does not declare, listing those it does', () => {
    const err = thrown(() => resolveParameters(m, { d: 5, x: 1 }));
    expect(err).toMatchObject({ code: 'LB_ERR_MODEL_PARAMETER', message: 'model demo has no parameter "x" (it has: h, d)', details: { model: 'demo', parameter: 'x' } });
    expect(thrown(() => resolveParameters(model({ required: 'current' }), { x: 1 })).message).toBe('model demo has no parameter "x" (it has: none)');
  });

  it('refuses "constructor": every object has one, but it is no parameter', () => {
    expect(thrown(() => resolveParameters(m, { d: 5, constructor: 1 })).message).toMatch(/no parameter "constructor"/);
  });

  it('refuses a missing parameter without a default, naming the service when it knows it', () => {
    const err = thrown(() => resolveParameters(m, {}, 'api'));
    expect(err).toMatchObject({ message: 'model demo needs parameter d (rps: demand) for api; it has no default', details: { model: 'demo', parameter: 'd', service: 'api' } });
    const anonymous = thrown(() => resolveParameters(m, {}));
    expect(anonymous.message).toBe('model demo needs parameter d (rps: demand); it has no default');
    expect(anonymous.details).toEqual({ model: 'demo', parameter: 'd' });
  });

  it('refuses an override that is not a finite number', () => {
    expect(thrown(() => resolveParameters(m, { d: Number.NaN })).message).toMatch(/needs parameter d/);
    expect(thrown(() => resolveParameters(m, { d: Number.POSITIVE_INFINITY })).message).toMatch(/needs parameter d/);
  });

  it('refuses a value outside the declared range, showing the range, and accepts its ends', () => {
    const err = thrown(() => resolveParameters(m, { h: 1.5, d: 5 }, 'api'));
    expect(err).toMatchObject({ message: 'model demo: h=1.5 for api is outside its range [0, 1] fraction', details: { model: 'demo', parameter: 'h', value: 1.5, min: 0, max: 1 } });
    expect(thrown(() => resolveParameters(m, { h: -0.5, d: 5 })).message).toBe('model demo: h=-0.5 is outside its range [0, 1] fraction');
    expect(resolveParameters(m, { h: 0, d: 5 }).h).toBe(0);
    expect(resolveParameters(m, { h: 1, d: 5 }).h).toBe(1);
  });

  it('shows an open end of a range as infinite', () => {
    const low = model({ required: 'current' }, { a: 'description: a, unit: u, max: 2' });
    expect(thrown(() => resolveParameters(low, { a: 3 })).message).toBe('model demo: a=3 is outside its range [-∞, 2] u');
    const high = model({ required: 'current' }, { a: 'description: a, unit: u, min: 2' });
    expect(thrown(() => resolveParameters(high, { a: 1 })).message).toBe('model demo: a=1 is outside its range [2, ∞] u');
    expect(resolveParameters(high, { a: 1e9 }).a).toBe(1e9);
    expect(resolveParameters(low, { a: -1e9 }).a).toBe(-1e9);
  });
});

describe('instances each region needs', () => {
  it('rounds up to whole instances: 10/3 is 3.33, so 4', () => {
    expect(requiredInstances(model({ required: 'current / 3' }), inputs(), {})).toEqual([4, 4, 4]);
  });

  it('uses mathjs where the fast path steps aside: pi is not a symbol it knows', () => {
    // ceil(π) = 4, ceil(2π = 6.28) = 7, ceil(3π = 9.42) = 10.
    expect(requiredInstances(model({ required: 'current * pi' }), inputs({ current: [1, 2, 3] }), {})).toEqual([4, 7, 10]);
  });

  it('evaluates an expression the fast path does not compile at all', () => {
    // An assignment is mathjs's alone: x = 10 × 2 = 20 per region.
    expect(requiredInstances(model({ required: 'x = current .* 2' }), inputs(), {})).toEqual([20, 20, 20]);
  });

  it('does not evaluate servable while sizing, even when it comes first', () => {
    // servable reads `instances`, which is not there while sizing: evaluating it would fail.
    expect(requiredInstances(model({ servable: 'instances ./ current', required: 'current + 1' }), inputs(), {})).toEqual([11, 11, 11]);
  });

  it('needs nothing from a model asking for 0 instances, but refuses a negative or infinite count', () => {
    expect(requiredInstances(model({ required: 'current * 0' }), inputs(), {})).toEqual([0, 0, 0]);
    const negative = thrown(() => requiredInstances(model({ required: 'current - [20, 0, 0]' }), inputs(), {}));
    expect(negative).toMatchObject({ code: 'LB_ERR_MODEL_EVALUATION', message: 'model demo asked for -10 instances of api in us-east-1', details: { model: 'demo', service: 'api', region: 'us-east-1' } });
    expect(thrown(() => requiredInstances(model({ required: 'current ./ [1, 0, 1]' }), inputs(), {})).message).toBe('model demo asked for Infinity instances of api in us-west-2');
  });

  it('refuses an answer that is not one number per region, showing what it got', () => {
    const scalar = thrown(() => requiredInstances(model({ required: '5' }), inputs(), {}));
    expect(scalar).toMatchObject({ code: 'LB_ERR_MODEL_EVALUATION', message: 'model demo: required must be one number per region (3), got 5', details: { model: 'demo', expression: 'required' } });
    expect(thrown(() => requiredInstances(model({ required: '[1, 2]' }), inputs(), {})).message).toBe('model demo: required must be one number per region (3), got [1,2]');
    expect(thrown(() => requiredInstances(model({ required: 'current > 0' }), inputs(), {})).message).toBe('model demo: required must be one number per region (3), got [true,true,true]');
  });

  it('names the expression that failed and why', () => {
    const err = thrown(() => requiredInstances(model({ a: 'erlangC(current + 0.5, 1)', required: 'a' }), inputs(), {}));
    expect(err).toMatchObject({ code: 'LB_ERR_MODEL_EVALUATION', message: 'model demo: expressions.a failed: servers must be a whole number ≥ 0, got 10.5', details: { model: 'demo', expression: 'a' } });
  });

  it('reads measured load as unknown when the inputs have none, and names it where a region needs it', () => {
    const m = model({ required: 'load ./ 10' });
    expect(requiredInstances(m, inputs({ targetShare: [0, 0, 0] }), {})).toEqual([0, 0, 0]);
    const err = thrown(() => requiredInstances(m, inputs({ targetShare: [0, 0.5, 0.5] }), {}));
    expect(err).toMatchObject({
      code: 'LB_ERR_MODEL_INPUT_MISSING',
      message: 'model demo cannot size api in us-west-2: input load is unknown there',
      details: { model: 'demo', service: 'api', region: 'us-west-2', missing: ['load'] },
    });
    expect(requiredInstances(m, inputs({ load: [10, 20, 31] }), {})).toEqual([1, 2, 4]);
  });

  it('names only the inputs unknown in that region', () => {
    const m = model({ required: 'capacityPerInstance + load' });
    const err = thrown(() => requiredInstances(m, inputs({ capacityPerInstance: [1, NaN, 1], load: [NaN, 1, 1] }), {}));
    // us-east-1 comes first: its capacity is known, its load is not.
    expect(err.message).toBe('model demo cannot size api in us-east-1: input load is unknown there');
  });

  it('says the model produced NaN when no input it reads is unknown', () => {
    const err = thrown(() => requiredInstances(model({ required: 'current * NaN' }), inputs(), {}));
    expect(err).toMatchObject({ message: 'model demo cannot size api in us-east-1: it produced NaN', details: { missing: [] } });
  });
});

describe('share given instances can serve', () => {
  it('takes the model’s servable answer, capped to [0, 1], and 0 where it is NaN', () => {
    // instances ÷ current − 0.5: 5/10 − 0.5 = 0, 30/10 − 0.5 = 2.5 → 1, 2/10 − 0.5 = −0.3 → 0; 0/0 is NaN → 0.
    const m = model({ required: 'current', servable: 'instances ./ current - 0.5' });
    expect(servableShare(m, inputs({ regions: ['a', 'b', 'c', 'd'], current: [10, 10, 10, 0] }), [5, 30, 2, 0], {})).toEqual([0, 1, 0, 0]);
    // 8/10 − 0.5 = 0.3 stays as it is.
    expect(servableShare(m, inputs({ regions: ['a'], current: [10] }), [8], {})[0]).toBeCloseTo(0.3, 12);
  });

  it('does not evaluate required or what reads targetShare while answering servable', () => {
    // Both would fail if evaluated: erlangC refuses 0.5 servers.
    const m = model({ bad: 'erlangC(targetShare * 0 + 0.5, 1)', required: 'current + 0 * bad', servable: 'instances ./ current' });
    expect(servableShare(m, inputs({ regions: ['a'], current: [10], targetShare: [1] }), [5], {})).toEqual([0.5]);
  });

  it('does not evaluate required while answering servable, even a required that reads no targetShare', () => {
    // required would fail (10.5 servers); servable is 5 ÷ 10 = 0.5.
    const m = model({ required: 'erlangC(current + 0.5, 1)', servable: 'instances ./ current' });
    expect(servableShare(m, inputs({ regions: ['a'], current: [10] }), [5], {})).toEqual([0.5]);
  });

  it('does not evaluate what reads required while answering servable', () => {
    // later reads required, which is not computed for servable: evaluating it would fail.
    const m = model({ required: 'current', later: 'required + 1', servable: 'instances ./ current' });
    expect(servableShare(m, inputs({ regions: ['a'], current: [10] }), [5], {})).toEqual([0.5]);
  });

  it('bisects required when the model has no servable: what share fits in the instances given', () => {
    // required = ⌈100 × share⌉. 50 instances fit share 0.5 exactly (⌈50⌉ = 50 ≤ 50), 33 fit 0.33,
    // 100 fit the whole traffic (1, not 1 − 2⁻⁴⁰), 0 fit nothing (up to the 1e-9 float forgiveness of wholeInstances).
    const m = model({ required: 'targetShare * 100' });
    const got = servableShare(m, inputs({ regions: ['a', 'b', 'c', 'd'] }), [50, 33, 100, 0], {});
    expect(got[0]).toBeCloseTo(0.5, 9);
    expect(got[1]).toBeCloseTo(0.33, 9);
    expect(got[2]).toBe(1);
    expect(got[3]).toBeCloseTo(0, 9);
  });

  it('counts a region it cannot size as serving nothing', () => {
    // capacityPerInstance unknown in b: no share fits there, however many instances.
    const m = model({ required: 'targetShare * 100 ./ capacityPerInstance' });
    expect(servableShare(m, inputs({ regions: ['a', 'b'], capacityPerInstance: [1, NaN] }), [50, 1000], {})).toEqual([expect.closeTo(0.5, 9), 0]);
  });
});
