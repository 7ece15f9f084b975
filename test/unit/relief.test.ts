import { describe, expect, it } from 'vitest';
import { reliefOf, shareChangesOf } from '../../src/core/relief';

const T0 = Date.parse('2026-12-07T12:00:00.000Z');
const at = (seconds: number) => T0 + seconds * 1000;

describe('relief and impact of an evacuation', () => {
  it('integrates the failing region’s share over time, per name and in total, from a hand-computed timeline', () => {
    const relief = reliefOf({
      startedAt: T0,
      endedAt: at(30),
      initial: new Map([
        ['api.example.com', 1 / 3],
        ['www.example.com', 0.5],
      ]),
      changes: [
        // api: 1/3 for 2 s, 0.1 for 8 s, then 0: 2/3 + 0.8 = 1.4667 share-seconds; relieved at 2 s, mitigated at 10 s.
        { name: 'api.example.com', at: at(10), share: 0 },
        { name: 'api.example.com', at: at(2), share: 0.1 },
        // www: 0.5 for 4 s, 0.25 for 16 s, then 0: 2 + 4 = 6 share-seconds; relieved at 4 s, mitigated at 20 s.
        { name: 'www.example.com', at: at(4), share: 0.25 },
        { name: 'www.example.com', at: at(20), share: 0 },
      ],
    });
    const api = relief.names.find((n) => n.name === 'api.example.com')!;
    const www = relief.names.find((n) => n.name === 'www.example.com')!;
    expect(api.impactShareSeconds).toBeCloseTo(2 / 3 + 0.8, 9);
    expect(api.firstReliefSeconds).toBe(2);
    expect(api.mitigateSeconds).toBe(10);
    expect(www.impactShareSeconds).toBeCloseTo(6, 9);
    expect(www.firstReliefSeconds).toBe(4);
    expect(www.mitigateSeconds).toBe(20);
    expect(relief.impactShareSeconds).toBeCloseTo(2 / 3 + 0.8 + 6, 9);
    expect(relief.firstReliefSeconds).toBe(2);
    expect(relief.mitigateSeconds).toBe(20);
    expect(relief.mitigated).toBe(true);
  });

  it('counts a name never brought to 0 until the end, and reports no time to mitigate', () => {
    const relief = reliefOf({
      startedAt: T0,
      endedAt: at(12),
      initial: new Map([['api.example.com', 0.5]]),
      changes: [{ name: 'api.example.com', at: at(6), share: 0.2 }],
    });
    // 0.5 × 6 + 0.2 × 6 = 4.2
    expect(relief.impactShareSeconds).toBeCloseTo(4.2, 9);
    expect(relief.firstReliefSeconds).toBe(6);
    expect(relief.mitigateSeconds).toBeUndefined();
    expect(relief.mitigated).toBe(false);
  });

  it('has no relief at all when nothing took effect', () => {
    const relief = reliefOf({ startedAt: T0, endedAt: at(5), initial: new Map([['api.example.com', 0.25]]), changes: [] });
    expect(relief.firstReliefSeconds).toBeUndefined();
    expect(relief.impactShareSeconds).toBeCloseTo(1.25, 9);
  });

  it('counts every weight change lifeboat made — stages, a fallback and a rollback — from a hand-computed timeline', () => {
    const name = 'api.example.com';
    const weights = (east: number, west: number, eu: number) => [
      { name, region: 'us-east-1', weight: east },
      { name, region: 'us-west-2', weight: west },
      { name, region: 'eu-west-1', weight: eu },
    ];
    const changes = shareChangesOf(
      weights(100, 100, 100),
      [
        // Given out of order: they count in the order they took effect.
        { at: at(14), weights: weights(100, 100, 100) }, // the rollback: back to the weights before, 1/3
        { at: at(2), weights: weights(50, 125, 125) }, // stage 1: 50/300 = 1/6
        { at: at(6), weights: weights(0, 150, 150) }, // stage 2: 0
        { at: at(9), weights: [{ name, region: 'us-east-1', weight: 60 }, { name, region: 'us-west-2', weight: 90 }] }, // the fallback: 60/(60+90+150) = 0.2
      ],
      'us-east-1',
    );
    expect(changes.map((c) => [c.at, c.share])).toEqual([
      [at(2), 1 / 6],
      [at(6), 0],
      [at(9), 0.2],
      [at(14), 1 / 3],
    ]);
    const relief = reliefOf({ startedAt: T0, endedAt: at(30), initial: new Map([[name, 1 / 3]]), changes });
    // 1/3 × 2 + 1/6 × 4 + 0 × 3 + 0.2 × 5 + 1/3 × 16 = 0.6667 + 0.6667 + 0 + 1 + 5.3333 = 7.6667 share-seconds.
    expect(relief.impactShareSeconds).toBeCloseTo(2 / 3 + 4 / 6 + 1 + 16 / 3, 9);
    expect(relief.firstReliefSeconds).toBe(2);
    // At 0 from 6 s to 9 s, then back up: not mitigated at the end.
    expect(relief.mitigateSeconds).toBeUndefined();
    expect(relief.mitigated).toBe(false);
  });

  it('takes the failing region to 0 on every name when it leaves through its switch, whatever its weights say after', () => {
    const names = ['api.example.com', 'www.example.com'];
    const initial = names.flatMap((name) => [
      { name, region: 'us-east-1', weight: 1 },
      { name, region: 'us-west-2', weight: 1 },
    ]);
    const changes = shareChangesOf(
      initial,
      [
        { at: at(4), weights: [], switchedOff: true },
        // A rollback of the weights afterwards does not bring the switched-off region back.
        { at: at(8), weights: [{ name: 'api.example.com', region: 'us-east-1', weight: 1 }] },
      ],
      'us-east-1',
    );
    const relief = reliefOf({ startedAt: T0, endedAt: at(10), initial: new Map(names.map((n) => [n, 0.5])), changes });
    // Each name: 0.5 × 4 = 2 share-seconds; both mitigated at 4 s.
    expect(relief.impactShareSeconds).toBeCloseTo(4, 9);
    expect(relief.mitigateSeconds).toBe(4);
    expect(relief.names.map((n) => n.mitigateSeconds)).toEqual([4, 4]);
  });

  it('lists the names in order, and is mitigated only when every name that carried traffic reached 0', () => {
    const relief = reliefOf({
      startedAt: T0,
      endedAt: at(10),
      // Given out of order, and one name the region never served.
      initial: new Map([
        ['www.example.com', 0.5],
        ['api.example.com', 0.5],
        ['cdn.example.com', 0],
      ]),
      changes: [
        { name: 'api.example.com', at: at(4), share: 0 },
        { name: 'www.example.com', at: at(2), share: 0.25 },
        // A weight change that keeps cdn at 0 is no mitigation of it: it never carried traffic here.
        { name: 'cdn.example.com', at: at(3), share: 0 },
      ],
    });
    expect(relief.names.map((n) => n.name)).toEqual(['api.example.com', 'cdn.example.com', 'www.example.com']);
    expect(relief.names.map((n) => n.mitigateSeconds)).toEqual([4, undefined, undefined]);
    // www never reached 0: not mitigated, though api did.
    expect(relief.mitigated).toBe(false);
    expect(relief.mitigateSeconds).toBeUndefined();
    // api 0.5 × 4 = 2; cdn 0; www 0.5 × 2 + 0.25 × 8 = 3: 5 share-seconds.
    expect(relief.names.map((n) => n.impactShareSeconds)).toEqual([2, 0, 3]);
    expect(relief.impactShareSeconds).toBeCloseTo(5, 9);
    expect(relief.firstReliefSeconds).toBe(2);
  });

  it('counts a name that never carried traffic as mitigated from the start', () => {
    const relief = reliefOf({
      startedAt: T0,
      endedAt: at(10),
      initial: new Map([
        ['api.example.com', 0.5],
        ['cdn.example.com', 0],
      ]),
      changes: [{ name: 'api.example.com', at: at(6), share: 0 }],
    });
    expect(relief.mitigated).toBe(true);
    expect(relief.mitigateSeconds).toBe(6);
  });

  it('is mitigated at once when no name carried traffic, with no relief to report', () => {
    const relief = reliefOf({ startedAt: T0, endedAt: at(10), initial: new Map([['cdn.example.com', 0]]), changes: [] });
    expect(relief).toEqual({ mitigateSeconds: 0, impactShareSeconds: 0, mitigated: true, names: [{ name: 'cdn.example.com', initialShare: 0, impactShareSeconds: 0 }] });
  });

  it('takes a change that keeps the share where it was for no relief, and the first time it reached 0 for mitigation', () => {
    const relief = reliefOf({
      startedAt: T0,
      endedAt: at(20),
      initial: new Map([['api.example.com', 0.5]]),
      changes: [
        // Weights rewritten at 1 s to the same share: not yet relief.
        { name: 'api.example.com', at: at(1), share: 0.5 },
        { name: 'api.example.com', at: at(3), share: 0.2 },
        { name: 'api.example.com', at: at(5), share: 0 },
        // Set to 0 again at 8 s: mitigated since 5 s all the same.
        { name: 'api.example.com', at: at(8), share: 0 },
      ],
    });
    expect(relief.firstReliefSeconds).toBe(3);
    expect(relief.mitigateSeconds).toBe(5);
    // 0.5 × 3 + 0.2 × 2 = 1.9 share-seconds.
    expect(relief.impactShareSeconds).toBeCloseTo(1.9, 9);
  });

  it('counts a change made before the start from the start, and ignores what happens after the end', () => {
    const relief = reliefOf({
      startedAt: T0,
      endedAt: at(10),
      initial: new Map([['api.example.com', 0.5]]),
      changes: [
        // Took effect 5 s before the operation started: 0.2 from the start.
        { name: 'api.example.com', at: at(-5), share: 0.2 },
        // After the end: it does not shorten the time the share stayed at 0.2.
        { name: 'api.example.com', at: at(15), share: 0 },
      ],
    });
    // 0.2 × 10 = 2 share-seconds; the relief came at the start.
    expect(relief.impactShareSeconds).toBeCloseTo(2, 9);
    expect(relief.firstReliefSeconds).toBe(0);
  });

  it('gives a change of share only to the names an event touched, and 0 to a name without the failing region', () => {
    const changes = shareChangesOf(
      [
        { name: 'api.example.com', region: 'us-east-1', weight: 1 },
        { name: 'api.example.com', region: 'us-west-2', weight: 1 },
        { name: 'www.example.com', region: 'us-west-2', weight: 1 },
      ],
      [
        // api: 1 / (1 + 3) = 0.25.
        { at: at(2), weights: [{ name: 'api.example.com', region: 'us-west-2', weight: 3 }] },
        // www never had us-east-1: its share there is 0.
        { at: at(4), weights: [{ name: 'www.example.com', region: 'us-west-2', weight: 2 }] },
        // A name first seen in an event: us-east-1 has 1 of 1 + 1.
        { at: at(6), weights: [{ name: 'cdn.example.com', region: 'us-east-1', weight: 1 }, { name: 'cdn.example.com', region: 'eu-west-1', weight: 1 }] },
      ],
      'us-east-1',
    );
    expect(changes).toEqual([
      { name: 'api.example.com', at: at(2), share: 0.25 },
      { name: 'www.example.com', at: at(4), share: 0 },
      { name: 'cdn.example.com', at: at(6), share: 0.5 },
    ]);
  });

  it('gives every name, touched or not, share 0 from the moment the switch goes off', () => {
    const changes = shareChangesOf(
      [
        { name: 'api.example.com', region: 'us-east-1', weight: 1 },
        { name: 'www.example.com', region: 'us-east-1', weight: 1 },
        { name: 'www.example.com', region: 'us-west-2', weight: 1 },
      ],
      [
        { at: at(3), weights: [{ name: 'api.example.com', region: 'us-west-2', weight: 1 }] },
        { at: at(5), weights: [], switchedOff: true },
        { at: at(7), weights: [{ name: 'www.example.com', region: 'us-east-1', weight: 5 }] },
      ],
      'us-east-1',
    );
    expect(changes).toEqual([
      // api: 1 of 1 + 1.
      { name: 'api.example.com', at: at(3), share: 0.5 },
      { name: 'api.example.com', at: at(5), share: 0 },
      { name: 'www.example.com', at: at(5), share: 0 },
      // After the switch went off only the names touched change, and stay at 0.
      { name: 'www.example.com', at: at(7), share: 0 },
    ]);
  });
});
