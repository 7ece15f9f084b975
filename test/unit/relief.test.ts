import { describe, expect, it } from 'vitest';
import { reliefOf } from '../../src/core/relief';

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
});
