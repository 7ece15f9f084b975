import { describe, expect, it } from 'vitest';
import { compileExpression, modelScalars } from '../../src/core/models/model-math';

const evaluate = (expression: string) => {
  const value: unknown = compileExpression(expression).evaluate({});
  return Array.isArray(value) ? value : ((value as { toArray?: () => unknown }).toArray?.() ?? value);
};

describe('the functions capacity models and runbooks may call', () => {
  it('atLeast and atMost work element by element and broadcast a number', () => {
    expect(evaluate('atLeast([1, 5], [3, 2])')).toEqual([3, 5]);
    expect(evaluate('atMost([1, 5], 2)')).toEqual([1, 2]);
  });

  it('refuses vectors of different lengths, saying both', () => {
    expect(() => evaluate('atLeast([1, 2], [1, 2, 3])')).toThrow(/vectors of different lengths \(2 and 3\)/);
  });

  it('erlangServers answers NaN when an input is unknown, rather than failing the whole model', () => {
    expect(modelScalars.erlangServers(Number.NaN, 0.2, 1, 0, 0)).toBeNaN();
    expect(modelScalars.erlangServers(10, 0.2, 1, 0, Number.NaN)).toBeNaN();
  });

  it('compares region names as text', () => {
    expect(evaluate("'us-east-1' == 'us-east-1'")).toBe(true);
    expect(evaluate("'us-east-1' == 'us-west-2'")).toBe(false);
    expect(evaluate("'us-east-1' != 'us-west-2'")).toBe(true);
    expect(evaluate("'us-east-1' != 'us-east-1'")).toBe(false);
  });
});

describe('whole instances and the element-wise functions on plain numbers', () => {
  it('rounds up to whole instances, forgiving float noise up to 1e-9 but not beyond', () => {
    // 15 × 1.1 = 16.500000000000004 → 17; 15 + 1e-10 is float noise → 15; 15 + 1e-8 is not → 16.
    expect(modelScalars.wholeInstances(15 * 1.1)).toBe(17);
    expect(modelScalars.wholeInstances(15 + 1e-10)).toBe(15);
    expect(modelScalars.wholeInstances(15 + 1e-8)).toBe(16);
  });

  it('never asks for fewer than 0 instances, and keeps NaN as unknown', () => {
    expect(modelScalars.wholeInstances(-3.5)).toBe(0);
    expect(modelScalars.wholeInstances(Number.NaN)).toBeNaN();
  });

  it('applies to two numbers without a vector in sight', () => {
    expect(evaluate('atLeast(1, 3)')).toBe(3);
    expect(evaluate('atMost(1, 3)')).toBe(1);
  });

  it('reads true as 1 and false as 0 in where', () => {
    expect(evaluate('where(true, 1, 2)')).toBe(1);
    expect(evaluate('where(false, 1, 2)')).toBe(2);
    expect(evaluate('where([true, false], 1, 2)')).toEqual([1, 2]);
  });

  it('gives erlangC and erlangServers element by element', () => {
    // C(3, 2) = 4/9 (by hand, erlang.ts); C(c, A) = 1 for c ≤ A.
    const c = evaluate('erlangC([3, 2], 2)') as number[];
    expect(c).toHaveLength(2);
    expect(c[0]).toBeCloseTo(4 / 9, 12);
    expect(c[1]).toBe(1);
    // At P(wait) ≤ 1 only stability binds: the smallest c > A, so 8 for 7.5 erlangs and 11 for 10.
    expect(evaluate('erlangServers([7.5, 10], 1, 1, 0, 0)')).toEqual([8, 11]);
  });
});
