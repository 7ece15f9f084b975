import { describe, expect, it } from 'vitest';
import { MAX_SERVERS, erlangB, erlangC, erlangServersFor, erlangServiceLevel } from '../../src/core/models/erlang';

// Reference values: test/reference/erlang_reference.py (exact rational arithmetic on the
// factorial formulas, independent of the recursion used here), and by hand where noted.
describe('Erlang B and C', () => {
  it.each([
    [5, 3, 0.110054347826],
    [10, 8, 0.121661064253],
  ])('blocking probability B(%i servers, %f erlangs) matches the reference', (c, a, expected) => {
    expect(erlangB(c, a)).toBeCloseTo(expected, 10);
  });

  it('C(3, 2) = 4/9, as computed by hand in the module comment', () => {
    expect(erlangC(3, 2)).toBeCloseTo(4 / 9, 12);
  });

  it.each([
    [5, 3, 0.236151603499],
    [10, 8, 0.409180150796],
    [120, 100, 0.033195895355],
    [300, 280, 0.163814169293],
    [520, 500, 0.274756344697],
  ])('probability of waiting C(%i servers, %f erlangs) matches the reference', (c, a, expected) => {
    expect(erlangC(c, a)).toBeCloseTo(expected, 9);
  });

  it('stays finite and in [0, 1] for thousands of servers, where factorials overflow', () => {
    for (const [c, a] of [[5000, 4900], [20000, 19950], [3000, 10]] as const) {
      const p = erlangC(c, a);
      expect(Number.isFinite(p)).toBe(true);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    }
  });

  it('refuses more servers than any region could be asked for, rather than counting to them', () => {
    // A custom model can call erlangC with any number: 1e12 would keep the recursion busy for hours.
    expect(() => erlangC(1e12, 5)).toThrow(RangeError);
    expect(() => erlangB(MAX_SERVERS + 1, 5)).toThrow(/at most/);
    expect(erlangC(MAX_SERVERS, 5)).toBe(0);
  });

  it('always waits when the servers cannot carry the load', () => {
    expect(erlangC(10, 10)).toBe(1);
    expect(erlangC(10, 12)).toBe(1);
  });
});

describe('smallest server count for a queueing target', () => {
  const target = (maxWaitProbability: number) => ({ maxWaitProbability, serviceLevel: 0, answerWithin: 0, serviceRate: 1 });

  it.each([
    [100, 0.2, 111],
    [500, 0.2, 525],
    [2000, 0.05, 2079],
  ])('%f erlangs with P(wait) ≤ %f needs %i servers', (a, p, expected) => {
    expect(erlangServersFor(a, target(p))).toBe(expected);
  });

  it('meets a service level: 10 erlangs of 3-minute calls, 80% answered within 20 s, needs 14 servers', () => {
    // The classic call-centre example; the reference script gives SL(13) = 0.7956, SL(14) = 0.8884.
    const c = erlangServersFor(10, { maxWaitProbability: 1, serviceLevel: 0.8, answerWithin: 20, serviceRate: 1 / 180 });
    expect(c).toBe(14);
    expect(erlangServiceLevel(14, 10, 1 / 180, 20)).toBeCloseTo(0.88835, 5);
  });

  it('needs no servers for no load, and one more than the load at the loosest target', () => {
    expect(erlangServersFor(0, target(0.2))).toBe(0);
    expect(erlangServersFor(7.5, target(1))).toBe(8);
  });

  it('refuses targets outside their range', () => {
    expect(() => erlangServersFor(10, target(0))).toThrow(RangeError);
    expect(() => erlangServersFor(-1, target(0.2))).toThrow(RangeError);
    expect(() => erlangServersFor(1e9, target(0.2))).toThrow(/more than 100000 servers/);
    expect(() => erlangServersFor(10, { maxWaitProbability: 1, serviceLevel: 0.8, answerWithin: 20, serviceRate: 0 })).toThrow(RangeError);
  });
});

describe('Erlang: the edges of the inputs (each answer by definition or by hand)', () => {
  const target = (maxWaitProbability: number) => ({ maxWaitProbability, serviceLevel: 0, answerWithin: 0, serviceRate: 1 });

  it('refuses a server count that is not a whole number ≥ 0, and a load that is not finite and ≥ 0, in every function', () => {
    expect(() => erlangB(2.5, 1)).toThrow(/servers must be a whole number ≥ 0, got 2.5/);
    expect(() => erlangB(-1, 1)).toThrow(/servers must be a whole number ≥ 0, got -1/);
    expect(() => erlangB(5, -1)).toThrow(/load must be a finite number of erlangs ≥ 0, got -1/);
    expect(() => erlangB(5, Number.NaN)).toThrow(/load must be a finite number/);
    // Fewer servers than the load would answer 1 at once: the inputs are checked first.
    expect(() => erlangC(-1, 1)).toThrow(/servers must be a whole number/);
    expect(() => erlangC(0.5, 1)).toThrow(/servers must be a whole number/);
    expect(() => erlangC(5, Number.POSITIVE_INFINITY)).toThrow(/load must be a finite number/);
  });

  it('B(0, A) = 1: with no server every arrival is blocked', () => {
    expect(erlangB(0, 3)).toBe(1);
  });

  it('answers nobody in time when the servers cannot carry the load (service level 0, not negative)', () => {
    expect(erlangServiceLevel(10, 12, 1, 1)).toBe(0);
  });

  it('counts one more server than a whole load: c = A never carries it', () => {
    expect(erlangServersFor(8, target(1))).toBe(9);
  });

  it('counts up to MAX_SERVERS itself, and refuses a load of MAX_SERVERS erlangs as too large', () => {
    expect(erlangServersFor(MAX_SERVERS - 0.5, target(1))).toBe(MAX_SERVERS);
    expect(() => erlangServersFor(MAX_SERVERS, target(1))).toThrow(/a load of 100000 erlangs needs more than 100000 servers/);
  });

  it('a target met exactly counts as met', () => {
    // C(3, 2) is the waiting probability of 3 servers at 2 erlangs: asking for exactly it needs 3.
    expect(erlangServersFor(2, target(erlangC(3, 2)))).toBe(3);
  });

  it('refuses each target field outside its range, saying which and what it got', () => {
    expect(() => erlangServersFor(10, target(0))).toThrow(/maxWaitProbability must be in \(0, 1\], got 0/);
    expect(() => erlangServersFor(10, target(1.5))).toThrow(/maxWaitProbability must be in \(0, 1\], got 1.5/);
    expect(() => erlangServersFor(10, { ...target(1), serviceLevel: -0.1 })).toThrow(/serviceLevel must be in \[0, 1\), got -0.1/);
    expect(() => erlangServersFor(10, { ...target(1), serviceLevel: 1 })).toThrow(/serviceLevel must be in \[0, 1\), got 1/);
    const needs = /a service-level target needs a service rate > 0 and answerWithin ≥ 0, got/;
    expect(() => erlangServersFor(10, { maxWaitProbability: 1, serviceLevel: 0.5, answerWithin: -1, serviceRate: 1 })).toThrow(needs);
    expect(() => erlangServersFor(10, { maxWaitProbability: 1, serviceLevel: 0.5, answerWithin: 1, serviceRate: Number.POSITIVE_INFINITY })).toThrow(needs);
  });

  it('needs no service rate when no service level is asked for', () => {
    expect(erlangServersFor(10, { maxWaitProbability: 0.2, serviceLevel: 0, answerWithin: 0, serviceRate: 0 })).toBe(erlangServersFor(10, target(0.2)));
  });

  it('a service level within 0 s is the probability of not waiting at all', () => {
    // SL = 1 − C·e^0 = 1 − C: 50 % answered at once is P(wait) ≤ 0.5.
    expect(erlangServersFor(10, { maxWaitProbability: 1, serviceLevel: 0.5, answerWithin: 0, serviceRate: 1 })).toBe(erlangServersFor(10, target(0.5)));
  });

  it('a longer answer time needs fewer servers: 10 erlangs of 3-minute calls, 80 % within 60 s, needs 13', () => {
    // Reference (exact C from the factorial formula, then SL = 1 − C·e^(−(c−A)·t/180)):
    // SL(12) = 0.7693 < 0.8, SL(13) = 0.8951.
    expect(erlangServersFor(10, { maxWaitProbability: 1, serviceLevel: 0.8, answerWithin: 60, serviceRate: 1 / 180 })).toBe(13);
  });
});

describe('Erlang: the edges the target search and the service level must keep', () => {
  const target = (maxWaitProbability: number) => ({ maxWaitProbability, serviceLevel: 0, answerWithin: 0, serviceRate: 1 });

  it('waits always with no server, even at no load: C(c, A) = 1 whenever c ≤ A, here 0 ≤ 0', () => {
    expect(erlangC(0, 0)).toBe(1);
  });

  it('answers nobody in time when the servers only just match the load, however long the wait allowed', () => {
    // c = A is the unstable edge: by definition SL = 0 there (not 1 − 1·e^(−0·∞), which is NaN).
    expect(erlangServiceLevel(5, 5, 1, Number.POSITIVE_INFINITY)).toBe(0);
  });

  it('never sizes a whole load at as many servers as erlangs: A + 1 for every A from 1 to 20 at the loosest target', () => {
    // With P(wait) ≤ 1 and no service level, only stability binds: the smallest c > A is A + 1.
    const loads = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(loads.map((a) => erlangServersFor(a, target(1)))).toEqual(loads.map((a) => a + 1));
  });

  it('reads neither the answer time nor the service rate when no service level is asked for', () => {
    // A negative answer time would make 1 − C·e^(+(c−A)·t) negative, but with serviceLevel 0 nothing
    // reads it: 7.5 erlangs at P(wait) ≤ 1 needs the smallest c > 7.5, which is 8.
    expect(erlangServersFor(7.5, { maxWaitProbability: 1, serviceLevel: 0, answerWithin: -1, serviceRate: 1 })).toBe(8);
  });

  it('a service level met exactly counts as met', () => {
    // answerWithin 0: SL(c) = 1 − C(c, A). Asking for exactly SL(3) = 1 − C(3, 2) = 5/9 at 2 erlangs needs 3.
    const exactly = 1 - erlangC(3, 2);
    expect(exactly).toBeCloseTo(5 / 9, 12);
    expect(erlangServersFor(2, { maxWaitProbability: 1, serviceLevel: exactly, answerWithin: 0, serviceRate: 1 })).toBe(3);
  });

  it('refuses a target no count up to MAX_SERVERS meets, rather than answering MAX_SERVERS', () => {
    // 99,999 erlangs leave c − A ≤ 1 below the cap; Halfin–Whitt, β = (c − A)/√A ≤ 1/316:
    // C ≈ 1/(1 + β·Φ(β)/φ(β)) ≈ 1/(1 + 0.0032·0.5/0.4) ≈ 0.996, far above 1e-6.
    expect(() => erlangServersFor(99_999, target(1e-6))).toThrow(/no number of servers up to 100000 meets the target for 99999 erlangs/);
  });
});
