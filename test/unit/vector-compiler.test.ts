import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import { compileModel } from '../../src/core/models/capacity-model';
import { requiredInstances } from '../../src/core/models/evaluate-model';
import { compileExpression, parseExpression } from '../../src/core/models/model-math';
import { Fallback, compileVector } from '../../src/core/models/vector-compiler';

const models = loadModels();

/** What mathjs says, as plain values (matrices as arrays). */
function viaMathjs(source: string, scope: Map<string, unknown>): unknown {
  const v = compileExpression(source).evaluate(new Map(scope)) as unknown;
  return v && typeof v === 'object' && 'toArray' in v ? (v as { toArray(): unknown }).toArray() : v;
}

function viaFastPath(source: string, scope: Map<string, unknown>): unknown {
  const fast = compileVector(parseExpression(source));
  if (!fast) throw new Error(`no fast path for ${source}`);
  return fast(scope);
}

const sameValue = (a: unknown, b: unknown) => expect(JSON.stringify(a, (_, v: unknown) => (typeof v === 'number' && Number.isNaN(v) ? 'NaN' : v))).toBe(JSON.stringify(b, (_, v: unknown) => (typeof v === 'number' && Number.isNaN(v) ? 'NaN' : v)));

const vector = (n: number, gen: fc.Arbitrary<number>) => fc.array(gen, { minLength: n, maxLength: n });
const shareVector = (n: number) =>
  vector(n, fc.integer({ min: 0, max: 100 })).map((ws) => {
    const total = ws.reduce((a, b) => a + b, 0);
    return ws.map((w) => (total ? w / total : 0));
  });

describe('the vector fast path for model expressions', () => {
  it('compiles every expression of the shipped models', () => {
    for (const m of models.values()) for (const [name, source] of Object.entries(m.expressions)) expect(compileVector(parseExpression(source)), `${m.name}.${name}`).toBeDefined();
  });

  it('property: gives what mathjs gives for every expression of the shipped models', () => {
    const scopeArb = fc.integer({ min: 1, max: 6 }).chain((n) =>
      fc.record({
        current: vector(n, fc.integer({ min: 0, max: 3000 })),
        inService: vector(n, fc.integer({ min: 0, max: 3000 })),
        minSize: vector(n, fc.integer({ min: 0, max: 50 })),
        maxSize: vector(n, fc.integer({ min: 0, max: 5000 })),
        share: shareVector(n),
        targetShare: shareVector(n),
        capacityPerInstance: vector(n, fc.oneof(fc.constant(NaN), fc.double({ min: 1, max: 500, noNaN: true }))),
        instances: vector(n, fc.integer({ min: 0, max: 3000 })),
        headroom: fc.double({ min: 0, max: 2, noNaN: true }),
        demand: fc.double({ min: 0, max: 50000, noNaN: true }),
        utilization: fc.double({ min: 0.05, max: 1, noNaN: true }),
        load: vector(n, fc.double({ min: 0, max: 100000, noNaN: true })),
        loadPerInstance: vector(n, fc.oneof(fc.constant(NaN), fc.double({ min: 0, max: 100, noNaN: true }))),
        targetUtilization: vector(n, fc.oneof(fc.constant(NaN), fc.double({ min: 1, max: 100, noNaN: true }))),
        loadCapacity: vector(n, fc.oneof(fc.constant(NaN), fc.constant(100), fc.double({ min: 1, max: 500, noNaN: true }))),
        maxWaitProbability: fc.double({ min: 0.01, max: 1, noNaN: true }),
        serviceLevel: fc.constantFrom(0, 0.5, 0.8),
        answerWithin: fc.constantFrom(0.01, 0.05, 1),
      }),
    );
    // The comparisons actually made, per model: a run where every expression was skipped
    // (mathjs refused, or the fast path fell back) would otherwise pass having compared nothing.
    const compared = new Map<string, number>();
    fc.assert(
      fc.property(scopeArb, (inputs) => {
        for (const [key, m] of models.entries()) {
          const scope = new Map<string, unknown>(Object.entries(inputs));
          for (const [name, source] of Object.entries(m.expressions)) {
            let expected: unknown;
            try {
              expected = viaMathjs(source, scope);
            } catch {
              continue; // mathjs itself refuses: the fast path is not asked to agree with an error
            }
            let actual: unknown;
            try {
              actual = viaFastPath(source, scope);
            } catch (e) {
              if (e instanceof Fallback) continue;
              throw e;
            }
            sameValue(actual, expected);
            compared.set(String(key), (compared.get(String(key)) ?? 0) + 1);
            scope.set(name, expected);
          }
        }
      }),
      { numRuns: 300 },
    );
    expect([...compared.keys()].sort()).toEqual([...models.keys()].map(String).sort());
    for (const count of compared.values()) expect(count).toBeGreaterThanOrEqual(300);
  });

  it.each([
    ['tolerant comparison', '0.1 + 0.2 > 0.3'],
    ['tolerant ceil', 'ceil(15.000000000000002)'],
    ['element-wise with booleans', '[1, 2, 3] .* ([1, 0, 2] > 0)'],
    ['sum of a vector', 'sum([0.25, 0.5, 0.25])'],
    ['text equality', '"us-east-1" == "us-east-1"'],
    ['where', 'where([true, false], [1, 2], 9)'],
  ])('agrees with mathjs on %s', (_what, source) => {
    sameValue(viaFastPath(source, new Map()), viaMathjs(source, new Map()));
  });

  it('falls back (rather than guess) on a matrix product of two vectors, and refuses what it does not know', () => {
    expect(() => viaFastPath('[1, 2] * [3, 4]', new Map())).toThrow(Fallback);
    expect(compileVector(parseExpression('det([[1, 2], [3, 4]])'))).toBeUndefined();
    const custom = compileModel('models/custom.yaml', 'name: custom\ndescription: d\nexpressions:\n  required: "wholeInstances(current .* 2)"\n');
    expect(custom.name).toBe('custom');
  });
});

describe('the fast path, case by case against mathjs', () => {
  // mathjs is the reference: each case is evaluated by both, and must give the same value.
  const scope = () =>
    new Map<string, unknown>([
      ['v', [1, -2, 3]],
      ['w', [2, 2, 2]],
      ['s', 2],
      ['b', [true, false, true]],
    ]);

  it.each([
    // arithmetic, element-wise and with a scalar on either side
    'v + w', 'v - s', 's - v', 'v * s', 's * v', 'v / s', 'v .* w', 'v ./ w', 'v .^ 2', '2 .^ v', 's ^ 3', '-v', '+v', 'b .* 2', 'true + 1',
    // comparisons, tolerant like mathjs: within 1e-12 relative or 1e-15 absolute is equal
    'v > w', 'v >= [1, -1, 4]', 'v < w', 'v <= [1, -3, 3]', 'v == [1, -2, 3.0000000000001]', 'v != [1, 2, 3]',
    '1 == 1 + 1e-13', '1e-16 == 0', '1e-14 == 0', '1 > 1 - 1e-13', '1 - 1e-13 < 1', '1 >= 1 + 1e-13', '1 + 1e-13 <= 1', '1 > 0.5', '0.5 < 1',
    'NaN == NaN', 'NaN != NaN', 'Infinity == Infinity', 'Infinity > 1e308', '-Infinity < -1e308', 'Infinity != -Infinity',
    '"a" != "b"', '"a" == "b"', '"a" != "a"',
    // logic
    'b and [true, true, false]', 'b or [false, false, false]', 'not b', '0 and 1', '0 or 0',
    // functions
    'abs(v)', 'sqrt(9)', 'sqrt(0)', 'exp(1)', 'exp(0)', 'sum(v)', 'sum(5)', 'sum(b)', 'where(v > 0, v, 0)', 'where(1, v, w)', 'atLeast(v, 0)', 'atMost(v, 0)',
    'wholeInstances([1.2, 0, -3, 2.9999999999])', 'erlangC([3, 5], 2)', 'erlangServers([10, 20], 0.2, 1, 0, 0)',
    'ceil(v / 2)', 'floor(v / 2)', 'ceil(2.0000000000001)', 'floor(2.9999999999999)', 'ceil(-2.9999999999999)', 'floor(-2.0000000000001)',
    'ceil(-2.5)', 'floor(-2.5)', 'ceil(1e12 + 0.3)', 'floor(1e12 + 0.7)', 'ceil(1e-16)', 'floor(-1e-16)', 'ceil(2)', 'floor(2)',
    // conditionals, literals, constants
    's > 1 ? v : w', 's < 1 ? v : w', '0 ? 1 : 2', '[1, s, 3]', 'true', 'false', 'NaN', 'Infinity', '"text"', '(v + 1) .* 2',
  ])('%s', (source) => {
    sameValue(viaFastPath(source, scope()), viaMathjs(source, scope()));
  });

  it.each([
    ['a matrix power', '[1, 2] ^ 2'],
    ['a matrix product', 'v * w'],
    ['a matrix division', 'v / w'],
    ['sum over a dimension', 'sum(v, 1)'],
    ['a matrix literal', 'sum([v, w])'],
    ['a sum of nested vectors', 'sum(m)'],
    ['vectors of different lengths', 'v + [1, 2]'],
    ['vectors of different lengths in where', 'where(b, [1, 2], 0)'],
    ['a symbol not in the scope', 'nowhere + 1'],
    ['a vector condition', 'b ? 1 : 2'],
    ['text in arithmetic', '"a" + 1'],
  ])('falls back to mathjs on %s', (_what, source) => {
    const withNested = scope();
    withNested.set('m', [[1], [2]]);
    expect(() => viaFastPath(source, withNested)).toThrow(Fallback);
  });

  it.each([
    ['ceil to decimals', 'ceil(v, 1)'],
    ['floor to decimals', 'floor(v, 1)'],
    ['a function definition', 'f(x) = x'],
    ['an assignment', 'a = 1'],
    ['null', 'null'],
    ['an index', 'v[1]'],
    ['a range', '1:3'],
    ['an operator it does not know', 'v mod 2'],
    ['a unary operator it does not know', '5!'],
    ['a function it does not know', 'det([[1, 2], [3, 4]])'],
    ['a known function over an unknown one', 'ceil(det([[1]]))'],
    ['an operator over an unknown function', '1 + det([[1]])'],
    ['a literal holding an unknown function', '[1, det([[1]])]'],
    ['a condition over an unknown function', 'det([[1]]) ? 1 : 2'],
    ['a branch over an unknown function', '1 ? det([[1]]) : 2'],
  ])('leaves %s to mathjs entirely', (_what, source) => {
    expect(compileVector(parseExpression(source))).toBeUndefined();
  });
});

describe('the fast path does not answer what mathjs refuses', () => {
  // mathjs reads `s / v` as s × inv(v) ("Matrix must be square" for a vector of 2 or more),
  // refuses sqrt and exp of a vector, and takes the square root of a negative number as complex.
  // A model must not work or fail depending on whether its expression took the fast path.
  it.each([
    ['a number divided by a vector', '2 / [1, 4]'],
    ['the square root of a vector', 'sqrt([4, 9])'],
    ['exp of a vector', 'exp([0, 1])'],
    ['the square root of a negative number', 'sqrt(-4)'],
  ])('hands %s to mathjs', (_what, source) => {
    expect(() => viaFastPath(source, new Map())).toThrow(Fallback);
  });

  it('so a model dividing a number by a vector is refused as mathjs refuses it, not sized element by element', () => {
    const m = compileModel('models/custom.yaml', 'name: custom\ndescription: d\nexpressions:\n  required: "wholeInstances(100 / current)"\n');
    const inputs = { service: 'api', regions: ['us-east-1', 'us-west-2'], current: [10, 20], inService: [10, 20], minSize: [0, 0], maxSize: [50, 50], share: [0.5, 0.5], targetShare: [0.5, 0.5], capacityPerInstance: [NaN, NaN] };
    expect(() => requiredInstances(m, inputs, {})).toThrow(/expressions\.required failed: Matrix must be square/);
  });
});
