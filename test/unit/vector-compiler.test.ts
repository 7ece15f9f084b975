import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import { compileModel } from '../../src/core/models/capacity-model';
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
