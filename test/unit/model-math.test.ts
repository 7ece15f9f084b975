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
