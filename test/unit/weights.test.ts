import { describe, expect, it } from 'vitest';
import { sharesToWeights } from '../../src/core/weights';

// The edges of sharesToWeights, each expected value worked out by hand in the comment beside it
// (the properties over random shares are in redistribution.test.ts).
const weights = (shares: Record<string, number>, current?: Record<string, number>) =>
  Object.fromEntries(sharesToWeights(new Map(Object.entries(shares)), current && new Map(Object.entries(current))));

describe('shares to Route 53 weights: the edges', () => {
  it('keeps current weights that already give the shares, even where smaller weights would too', () => {
    // 2/6 and 4/6 are the shares asked for; the smallest weights for them would be 1 and 2.
    expect(weights({ a: 1 / 3, b: 2 / 3 }, { a: 2, b: 4 })).toEqual({ a: 2, b: 4 });
    // A region that gets nothing may keep its 0 beside the others.
    expect(weights({ a: 0, b: 1 }, { a: 0, b: 3 })).toEqual({ a: 0, b: 3 });
  });

  it('replaces all-zero weights, which Route 53 reads as an even split, with weights that say it', () => {
    expect(weights({ a: 0.5, b: 0.5 }, { a: 0, b: 0 })).toEqual({ a: 1, b: 1 });
  });

  it('answers for exactly the regions of the shares, whatever other regions the current weights name', () => {
    // Same size, but c is not asked for and b is missing from the current weights.
    expect(weights({ a: 1, b: 0 }, { a: 5, c: 0 })).toEqual({ a: 1, b: 0 });
    // The current weights name one region more than the shares.
    expect(weights({ a: 0.5, b: 0.5 }, { a: 1, b: 1, c: 0 })).toEqual({ a: 1, b: 1 });
  });

  it('refuses shares where no region has a positive share: Route 53 would spread the traffic evenly', () => {
    expect(() => weights({ a: 0, b: 0 })).toThrow(/no region has a positive share; Route 53 would spread traffic evenly/);
    expect(() => weights({ a: 0, b: -0.5 })).toThrow(RangeError);
  });

  it('reads shares that do not sum to 1 as proportions', () => {
    // 2 : 1 is 2/3 and 1/3, whose smallest whole weights are 2 and 1.
    expect(weights({ a: 2, b: 1 })).toEqual({ a: 2, b: 1 });
    // 3 : 1 is 3/4 and 1/4: 3 and 1.
    expect(weights({ a: 3, b: 1 })).toEqual({ a: 3, b: 1 });
  });

  it('keeps the operator’s scale at exactly 100, and at exactly the largest total that fits 255', () => {
    // 50 + 50 = 100: a quarter and three quarters of 100.
    expect(weights({ a: 0.25, b: 0.75 }, { a: 50, b: 50 })).toEqual({ a: 25, b: 75 });
    // 200 + 55 = 255, and the whole share on a: a gets 255 at that scale.
    expect(weights({ a: 1, b: 0 }, { a: 200, b: 55 })).toEqual({ a: 255, b: 0 });
  });

  it('does not keep a scale so large that the largest share would need more than 255', () => {
    // 150 + 150 = 300, but 0.851 × 300 = 255.3. The largest total that fits is
    // floor(255 / 0.851) = 299: 0.851 × 299 = 254.449 and 0.149 × 299 = 44.551, floors 254 and 44, and
    // the one unit left goes to the larger remainder (b): 254 and 45.
    expect(weights({ a: 0.851, b: 0.149 }, { a: 150, b: 150 })).toEqual({ a: 254, b: 45 });
  });

  it('reduces the weights by their common divisor: 254 and 170 become 127 and 85', () => {
    // 0.600001 and 0.399999 have no exact small weights. The largest total that fits is
    // floor(255 / 0.600001) = 424: 254.4004 and 169.5996, floors 254 and 169, the unit left to the
    // larger remainder (b): 254 and 170, both even.
    expect(weights({ a: 0.600001, b: 0.399999 })).toEqual({ a: 127, b: 85 });
  });

  it('a share too small for one unit beside one that is nearly all: the large one gives its unit back (1 and 254)', () => {
    // At 255 the large share is 255 × (1 − 1e-12) ≈ 255 units and the tiny one must have 1: the
    // large one comes down to 254, still within one unit of its share.
    expect(weights({ a: 1e-12, b: 1 - 1e-12 })).toEqual({ a: 1, b: 254 });
  });

  it('never goes above 255 when the units of tiny shares are forced on top', () => {
    // Two shares under one unit beside 0.004: the 0.004 is nearly all of it, so it gets 255 and
    // each tiny one 1 (there are no weights within one unit with every tiny share at least 1).
    const w = weights({ a: 0.004, b: 0, c: 1e-12, d: 1e-12 });
    expect(w).toEqual({ a: 255, b: 0, c: 1, d: 1 });
  });
});


describe('shares to Route 53 weights under ceilings', () => {
  const withCeilings = (shares: Record<string, number>, current: Record<string, number>, ceilings: Record<string, number>) =>
    Object.fromEntries(sharesToWeights(new Map(Object.entries(shares)), new Map(Object.entries(current)), new Map(Object.entries(ceilings))));

  it('never rounds a region above its ceiling: the unit left goes to a region below its own', () => {
    // On the operator's scale of 200: 0.4004 × 200 = 80.08 and 0.5996 × 200 = 119.92, floors 80 and 119.
    // Without a ceiling the unit left goes to the larger remainder, b: 80 and 120.
    expect(weights({ a: 0.4004, b: 0.5996 }, { a: 100, b: 100 })).toEqual({ a: 80, b: 120 });
    // b may carry at most 0.5996 of the name, 119.92 of 200: it keeps 119 and a takes the unit, 81.
    expect(withCeilings({ a: 0.4004, b: 0.5996 }, { a: 100, b: 100 }, { b: 0.5996 })).toEqual({ a: 81, b: 119 });
  });

  it('lets a region reach a ceiling that falls on a whole weight', () => {
    // A ceiling of 0.6 is 0.6 × 200 = 120 units exactly: b may take the unit left, 80 and 120.
    expect(withCeilings({ a: 0.4004, b: 0.5996 }, { a: 100, b: 100 }, { b: 0.6 })).toEqual({ a: 80, b: 120 });
  });
});
