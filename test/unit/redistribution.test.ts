import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpolateShares, moveShare, sharesFromTargetWeights } from '../../src/core/redistribution';
import { sharesFromWeights } from '../../src/core/snapshot';
import { sharesToWeights } from '../../src/core/weights';

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-south-1', 'sa-east-1'];

/** 2..5 regions with non-negative shares summing to 1, at least one positive besides the first. */
const sharesArb = fc
  .integer({ min: 2, max: 5 })
  .chain((n) => fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: n, maxLength: n }))
  .filter((ws) => ws.slice(1).some((w) => w > 0) && ws[0]! > 0)
  .map((ws) => {
    const total = ws.reduce((a, b) => a + b, 0);
    return new Map(ws.map((w, i) => [REGIONS[i]!, w / total]));
  });

const sum = (m: ReadonlyMap<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

describe('moving traffic between regions', () => {
  it('evacuating a region gives its share to the others in proportion to theirs (worked example)', () => {
    const { shares } = moveShare({ shares: new Map([['a', 0.5], ['b', 0.3], ['c', 0.2]]), from: 'a', fraction: 1, mode: 'proportional' });
    expect(shares.get('a')).toBe(0);
    expect(shares.get('b')).toBeCloseTo(0.6, 12);
    expect(shares.get('c')).toBeCloseTo(0.4, 12);
  });

  it('capacity-aware: a survivor stops at its ceiling and the others take the rest (worked example)', () => {
    const { shares, unplaced } = moveShare({
      shares: new Map([['a', 0.5], ['b', 0.3], ['c', 0.2]]),
      from: 'a',
      fraction: 1,
      mode: 'capacity-aware',
      ceilings: new Map([['b', 0.55]]),
    });
    expect(unplaced).toBe(0);
    expect(shares.get('b')).toBeCloseTo(0.55, 12);
    expect(shares.get('c')).toBeCloseTo(0.45, 12);
  });

  it('capacity-aware: what no survivor can take stays on the region and is reported as unplaced', () => {
    const { shares, unplaced } = moveShare({
      shares: new Map([['a', 0.4], ['b', 0.3], ['c', 0.3]]),
      from: 'a',
      fraction: 1,
      mode: 'capacity-aware',
      ceilings: new Map([['b', 0.4], ['c', 0.45]]),
    });
    expect(unplaced).toBeCloseTo(0.15, 12);
    expect(shares.get('a')).toBeCloseTo(0.15, 12);
    expect(shares.get('b')).toBeCloseTo(0.4, 12);
    expect(shares.get('c')).toBeCloseTo(0.45, 12);
  });

  it('explicit recipients that serve nothing yet gain equally', () => {
    const { shares } = moveShare({ shares: new Map([['a', 1], ['b', 0], ['c', 0]]), from: 'a', fraction: 0.5, to: ['b', 'c'], mode: 'proportional' });
    expect([...shares.values()]).toEqual([0.5, 0.25, 0.25]);
  });

  it('property: shares stay a distribution (sum 1, none negative)', () => {
    fc.assert(
      fc.property(sharesArb, fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('proportional', 'capacity-aware') as fc.Arbitrary<'proportional' | 'capacity-aware'>, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }), (shares, fraction, mode, caps) => {
        const ceilings = new Map([...shares.keys()].map((r, i) => [r, shares.get(r)! + caps[i]!]));
        const { shares: after } = moveShare({ shares, from: REGIONS[0]!, fraction, mode, ceilings });
        expect(sum(after)).toBeCloseTo(1, 9);
        for (const s of after.values()) expect(s).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('property: on evacuation survivors only gain and keep their ratios, and the region goes to zero', () => {
    fc.assert(
      fc.property(sharesArb, (shares) => {
        const from = REGIONS[0]!;
        const { shares: after } = moveShare({ shares, from, fraction: 1, mode: 'proportional' });
        expect(after.get(from)).toBe(0);
        const survivors = [...shares.keys()].filter((r) => r !== from && shares.get(r)! > 0);
        for (const r of survivors) expect(after.get(r)!).toBeGreaterThanOrEqual(shares.get(r)! - 1e-12);
        for (const r of survivors) for (const q of survivors) {
          expect(after.get(r)! * shares.get(q)!).toBeCloseTo(after.get(q)! * shares.get(r)!, 9);
        }
      }),
    );
  });

  it('property: capacity-aware never pushes a survivor past its ceiling', () => {
    fc.assert(
      fc.property(sharesArb, fc.array(fc.double({ min: 0, max: 0.6, noNaN: true }), { minLength: 5, maxLength: 5 }), (shares, room) => {
        const ceilings = new Map([...shares.keys()].map((r, i) => [r, shares.get(r)! + room[i]!]));
        const { shares: after, unplaced } = moveShare({ shares, from: REGIONS[0]!, fraction: 1, mode: 'capacity-aware', ceilings });
        for (const [r, s] of after) if (r !== REGIONS[0]) expect(s).toBeLessThanOrEqual(ceilings.get(r)! + 1e-9);
        expect(after.get(REGIONS[0]!)).toBeCloseTo(unplaced, 9);
      }),
    );
  });

  it('stages interpolate between before and after and end exactly on after', () => {
    const before = new Map([['a', 0.5], ['b', 0.5]]);
    const after = new Map([['a', 0], ['b', 1]]);
    expect(interpolateShares(before, after, 0.5).get('a')).toBe(0.25);
    expect(interpolateShares(before, after, 1)).toEqual(after);
  });

  it('explicit target weights become shares; unlisted regions get none', () => {
    expect([...sharesFromTargetWeights(['a', 'b', 'c'], { a: 3, b: 1 }).values()]).toEqual([0.75, 0.25, 0]);
  });
});

describe('moving traffic: the edges (each value worked out by hand)', () => {
  const abc = () => new Map([['a', 0.5], ['b', 0.3], ['c', 0.2]]);

  it('a fraction above 1 moves the whole share, one below 0 moves nothing', () => {
    const all = moveShare({ shares: abc(), from: 'a', fraction: 1.5, mode: 'proportional' });
    expect(all.shares.get('a')).toBe(0);
    expect(all.shares.get('b')).toBeCloseTo(0.6, 12);
    const none = moveShare({ shares: abc(), from: 'a', fraction: -0.5, mode: 'proportional' });
    expect(none.shares).toEqual(abc());
    expect(none.unplaced).toBe(0);
    expect(none.recipients).toEqual(['b', 'c']);
  });

  it('a region named among its own recipients is left out of them', () => {
    const moved = moveShare({ shares: abc(), from: 'a', fraction: 1, to: ['a', 'c'], mode: 'proportional' });
    expect(moved.recipients).toEqual(['c']);
    expect(moved.shares.get('a')).toBe(0);
    expect(moved.shares.get('b')).toBeCloseTo(0.3, 12);
    expect(moved.shares.get('c')).toBeCloseTo(0.7, 12);
  });

  it('with no recipient at all, the whole share to move is unplaced and nothing moves', () => {
    const alone = moveShare({ shares: new Map([['a', 1], ['b', 0]]), from: 'a', fraction: 0.4, mode: 'proportional' });
    expect(alone.recipients).toEqual([]);
    expect(alone.unplaced).toBeCloseTo(0.4, 12);
    expect(alone.shares).toEqual(new Map([['a', 1], ['b', 0]]));
  });

  it('a region that serves nothing moves nothing, with nothing unplaced', () => {
    const moved = moveShare({ shares: new Map([['a', 0], ['b', 1]]), from: 'a', fraction: 1, mode: 'proportional' });
    expect(moved).toEqual({ shares: new Map([['a', 0], ['b', 1]]), unplaced: 0, recipients: ['b'] });
  });

  it('proportional mode ignores ceilings; capacity-aware without ceilings has no limit', () => {
    const ceilings = new Map([['b', 0.35]]);
    const proportional = moveShare({ shares: abc(), from: 'a', fraction: 1, mode: 'proportional', ceilings });
    expect(proportional.shares.get('b')).toBeCloseTo(0.6, 12);
    const unlimited = moveShare({ shares: abc(), from: 'a', fraction: 1, mode: 'capacity-aware' });
    expect(unlimited.shares.get('b')).toBeCloseTo(0.6, 12);
    expect(unlimited.unplaced).toBe(0);
  });

  it('a recipient already at its ceiling takes nothing; one exactly filled by its part takes exactly that', () => {
    // b is full (ceiling 0.3 = its share): c takes all 0.5 → 0.7.
    const full = moveShare({ shares: abc(), from: 'a', fraction: 1, mode: 'capacity-aware', ceilings: new Map([['b', 0.3]]) });
    expect(full.shares.get('b')).toBeCloseTo(0.3, 12);
    expect(full.shares.get('c')).toBeCloseTo(0.7, 12);
    // b's proportional part is 0.3 → 0.6, its ceiling exactly: nothing overflows.
    const exact = moveShare({ shares: abc(), from: 'a', fraction: 1, mode: 'capacity-aware', ceilings: new Map([['b', 0.6], ['c', 0.4]]) });
    expect(exact.unplaced).toBe(0);
    expect(exact.shares.get('b')).toBeCloseTo(0.6, 12);
    expect(exact.shares.get('c')).toBeCloseTo(0.4, 12);
  });

  it('capped recipients pass their overflow on over several rounds', () => {
    // Shares a 0.4, b 0.2, c 0.2, d 0.2; evacuate a. Round 1: each gets 0.4/3 = 0.1333; b's
    // ceiling 0.25 caps it at +0.05. The rest, 0.35, goes to c and d: +0.175 each → 0.375;
    // c's ceiling 0.3 caps it at +0.1; d takes the remaining 0.25 → 0.45.
    const moved = moveShare({
      shares: new Map([['a', 0.4], ['b', 0.2], ['c', 0.2], ['d', 0.2]]),
      from: 'a',
      fraction: 1,
      mode: 'capacity-aware',
      ceilings: new Map([['b', 0.25], ['c', 0.3]]),
    });
    expect(moved.unplaced).toBe(0);
    expect(moved.shares.get('a')).toBe(0);
    expect(moved.shares.get('b')).toBeCloseTo(0.25, 12);
    expect(moved.shares.get('c')).toBeCloseTo(0.3, 12);
    expect(moved.shares.get('d')).toBeCloseTo(0.45, 12);
  });

  it('a partial move keeps the rest on the region, and the shares still sum to 1', () => {
    const moved = moveShare({ shares: abc(), from: 'a', fraction: 0.5, mode: 'proportional' });
    expect(moved.shares.get('a')).toBeCloseTo(0.25, 12);
    expect(moved.shares.get('b')).toBeCloseTo(0.45, 12);
    expect(moved.shares.get('c')).toBeCloseTo(0.3, 12);
    expect(sum(moved.shares)).toBeCloseTo(1, 12);
  });

  it('interpolation reaches regions only one side names, and stops exactly on after from progress 1 on', () => {
    const before = new Map([['a', 1]]);
    const after = new Map([['b', 1]]);
    expect(interpolateShares(before, after, 0.25)).toEqual(new Map([['a', 0.75], ['b', 0.25]]));
    expect(interpolateShares(before, after, 0)).toEqual(new Map([['a', 1], ['b', 0]]));
    expect(interpolateShares(new Map([['a', 0.3]]), new Map([['a', 0.9]]), 1.5)).toEqual(new Map([['a', 0.9]]));
    // At exactly 1 too: 0.3 + (0.9 - 0.3) × 1 is 0.9000000000000001 in floating point, after is 0.9.
    expect(interpolateShares(new Map([['a', 0.3]]), new Map([['a', 0.9]]), 1).get('a')).toBe(0.9);
  });

  it('moving from a region the shares do not list moves nothing and leaves nothing unplaced', () => {
    const moved = moveShare({ shares: new Map([['b', 0.6], ['c', 0.4]]), from: 'a', fraction: 1, mode: 'proportional' });
    expect(moved).toEqual({ shares: new Map([['b', 0.6], ['c', 0.4]]), unplaced: 0, recipients: ['b', 'c'] });
  });

  it('a recipient named explicitly but absent from the shares starts from nothing and takes its part', () => {
    // c is not in the shares: it serves nothing, so the recipients (only c) gain equally: c takes all 0.5.
    const moved = moveShare({ shares: new Map([['a', 0.5], ['b', 0.5]]), from: 'a', fraction: 1, to: ['c'], mode: 'capacity-aware' });
    expect(moved.unplaced).toBe(0);
    expect(moved.shares.get('a')).toBe(0);
    expect(moved.shares.get('b')).toBeCloseTo(0.5, 12);
    expect(moved.shares.get('c')).toBeCloseTo(0.5, 12);
  });

  it('explicit recipients of which one serves nothing yet all gain equally, not in proportion', () => {
    // b serves 0.5, c nothing: a's 0.5 is split 0.25 / 0.25 (in proportion, c would get none).
    const moved = moveShare({ shares: new Map([['a', 0.5], ['b', 0.5], ['c', 0]]), from: 'a', fraction: 1, to: ['b', 'c'], mode: 'proportional' });
    expect(moved.shares.get('a')).toBe(0);
    expect(moved.shares.get('b')).toBeCloseTo(0.75, 12);
    expect(moved.shares.get('c')).toBeCloseTo(0.25, 12);
  });

  it('capacity-aware: a recipient already above its ceiling keeps its share and takes nothing', () => {
    // b serves 0.3 over its ceiling 0.2: it is not cut back, it gets nothing; c takes all 0.5 → 0.7.
    const moved = moveShare({ shares: abc(), from: 'a', fraction: 1, mode: 'capacity-aware', ceilings: new Map([['b', 0.2]]) });
    expect(moved.unplaced).toBe(0);
    expect(moved.shares.get('b')).toBeCloseTo(0.3, 12);
    expect(moved.shares.get('c')).toBeCloseTo(0.7, 12);
  });

  it('an evacuation leaves the region at exactly 0 and nothing unplaced, whatever the rounding of its parts', () => {
    // 1/12, 1/12, 10/12: b gets 1/12 × 1/11 → 1/11, c gets 1/12 × 10/11 → 10/11. The two parts do not add
    // back to 1/12 exactly in floating point; the dust must not show as traffic left on a or as unplaced.
    const moved = moveShare({ shares: new Map([['a', 1 / 12], ['b', 1 / 12], ['c', 10 / 12]]), from: 'a', fraction: 1, mode: 'capacity-aware' });
    expect(moved.unplaced).toBe(0);
    expect(moved.shares.get('a')).toBe(0);
    expect(moved.shares.get('b')).toBeCloseTo(1 / 11, 12);
    expect(moved.shares.get('c')).toBeCloseTo(10 / 11, 12);
  });

  it('rescales the result to a distribution when the shares given do not sum to 1', () => {
    // Given 2 : 1 : 1 (as weights), move half of a: a keeps 1, b and c gain 0.5 each → 1 : 1.5 : 1.5 of 4.
    const moved = moveShare({ shares: new Map([['a', 2], ['b', 1], ['c', 1]]), from: 'a', fraction: 0.5, mode: 'proportional' });
    expect(moved.shares.get('a')).toBeCloseTo(0.25, 12);
    expect(moved.shares.get('b')).toBeCloseTo(0.375, 12);
    expect(moved.shares.get('c')).toBeCloseTo(0.375, 12);
  });

  it('target weights: a negative weight counts as none, and all-zero weights give every region nothing', () => {
    expect([...sharesFromTargetWeights(['a', 'b'], { a: -3, b: 1 }).values()]).toEqual([0, 1]);
    expect([...sharesFromTargetWeights(['a', 'b'], { a: 0 }).values()]).toEqual([0, 0]);
  });
});

describe('shares to Route 53 weights', () => {
  it('turns halves into 1 and 1, and thirds of a staged move into small whole weights (worked example)', () => {
    expect([...sharesToWeights(new Map([['a', 0], ['b', 0.5], ['c', 0.5]])).values()]).toEqual([0, 1, 1]);
    expect([...sharesToWeights(new Map([['a', 0], ['b', 5 / 12], ['c', 5 / 12], ['d', 1 / 6]])).values()]).toEqual([0, 5, 5, 2]);
  });

  it('keeps the operator’s scale when the current weights sum to 100 or more', () => {
    const current = new Map([['a', 100], ['b', 100], ['c', 100]]);
    expect([...sharesToWeights(new Map([['a', 1 / 6], ['b', 5 / 12], ['c', 5 / 12]]), current).values()]).toEqual([50, 125, 125]);
    expect([...sharesToWeights(new Map([['a', 0], ['b', 0.5], ['c', 0.5]]), current).values()]).toEqual([0, 150, 150]);
    // 1/1/1 is too coarse for 5/12: the finest weights that fit are used instead.
    expect([...sharesToWeights(new Map([['a', 1 / 6], ['b', 5 / 12], ['c', 5 / 12]]), new Map([['a', 1], ['b', 1], ['c', 1]])).values()]).toEqual([2, 5, 5]);
  });

  it('keeps the current weights when they already give the intended shares', () => {
    const current = new Map([['a', 100], ['b', 100], ['c', 100]]);
    expect(sharesToWeights(new Map([['a', 1 / 3], ['b', 1 / 3], ['c', 1 / 3]]), current)).toEqual(current);
  });

  it('never rounds a region that keeps traffic to 0', () => {
    const w = sharesToWeights(new Map([['a', 0.9995], ['b', 0.0005]]));
    expect(w.get('b')).toBe(1);
  });

  it('gives a share too small for one unit beside a large one a weight of 1 rather than 0', () => {
    // 1/515, 513/515, 1/515 cannot be within one unit with every weight ≥ 1 and ≤ 255.
    const w = sharesToWeights(new Map([['a', 1 / 515], ['b', 513 / 515], ['c', 1 / 515]]));
    expect([...w.values()]).toEqual([1, 255, 1]);
  });

  /** Shares under 1/255 may each be forced up to one unit (see sharesToWeights): the bound widens by that many. */
  const unitsAllowed = (shares: ReadonlyMap<string, number>) => 1 + [...shares.values()].filter((s) => s > 0 && s < 1 / 255).length;

  it('property: weights are whole numbers 0..255 whose implied shares are within one weight unit', () => {
    const currentArb = fc.option(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 5, maxLength: 5 }), { nil: undefined });
    fc.assert(
      fc.property(sharesArb, currentArb, (shares, currentWeights) => {
        const current = currentWeights ? new Map([...shares.keys()].map((r, i) => [r, currentWeights[i]!])) : undefined;
        const weights = sharesToWeights(shares, current);
        const total = sum(weights);
        const implied = sharesFromWeights(weights);
        for (const [r, w] of weights) {
          expect(Number.isInteger(w)).toBe(true);
          expect(w).toBeGreaterThanOrEqual(0);
          expect(w).toBeLessThanOrEqual(255);
          expect(Math.abs(implied.get(r)! - shares.get(r)!)).toBeLessThanOrEqual(unitsAllowed(shares) / total + 1e-12);
          if (shares.get(r)! > 0) expect(w).toBeGreaterThan(0);
          if (shares.get(r)! === 0) expect(w).toBe(0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('property: weights of an evacuation keep the survivors’ ratios within a weight unit', () => {
    fc.assert(
      fc.property(sharesArb, (shares) => {
        const { shares: after } = moveShare({ shares, from: REGIONS[0]!, fraction: 1, mode: 'proportional' });
        const weights = sharesToWeights(after);
        const total = sum(weights);
        for (const [r, w] of weights) expect(Math.abs(w / total - after.get(r)!)).toBeLessThanOrEqual(unitsAllowed(after) / total + 1e-12);
      }),
    );
  });
});
