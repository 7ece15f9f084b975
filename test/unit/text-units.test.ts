import { describe, expect, it } from 'vitest';
import { duration, percent, timestamp, took } from '../../src/text/units';

describe('numbers as a terminal shows them', () => {
  it('reads a duration in tenths of seconds under a minute, then minutes and hours', () => {
    expect([400, 12_345, 245_000, 7_380_000].map(duration)).toEqual(['0.4 s', '12.3 s', '4m 05s', '2h 03m']);
  });

  it('times what has ended from its own start and end, and what still runs only against the now it is given', () => {
    expect(took('2026-11-24T12:00:00.000Z', '2026-11-24T12:00:01.500Z')).toBe('1.5 s');
    expect(took('2026-11-24T12:00:00.000Z', undefined)).toBeUndefined();
    expect(took('2026-11-24T12:00:00.000Z', undefined, Date.parse('2026-11-24T12:01:00.000Z'))).toBe('1m 00s');
    expect(took(undefined, '2026-11-24T12:00:01.500Z')).toBeUndefined();
  });

  it('reads a share as a percentage with one decimal, and a time without its milliseconds', () => {
    expect(percent(1 / 3)).toBe('33.3%');
    expect(percent(0)).toBe('0.0%');
    expect(timestamp('2026-11-24T12:00:03.123Z')).toBe('2026-11-24 12:00:03Z');
    expect(timestamp(undefined)).toBe('-');
  });
});
