import { describe, expect, it } from 'vitest';
import { nextFiring } from '../../src/core/planner/cron';

/**
 * nextFiring reads Auto Scaling's Recurrence (minute hour day-of-month month day-of-week).
 * Calendar facts used below (checked with `date -u -d … +%a`): 2026-11-30 is a Monday,
 * 2026-12-01 a Tuesday, 2026-12-05 a Saturday, 2026-12-06 a Sunday, 2026-12-07 a Monday,
 * 2026-12-14 a Monday, 2026-12-15 a Tuesday. Asia/Tokyo is UTC+9 all year (no DST).
 */
const t = (iso: string) => Date.parse(iso);

describe('nextFiring: the minute and hour fields', () => {
  it('steps from a single start value up to the field maximum ("5/20" is minutes 5, 25, 45)', () => {
    expect(nextFiring('5/20 * * * *', t('2026-12-07T10:00:00Z'), t('2026-12-07T12:00:00Z'))).toBe(t('2026-12-07T10:05:00Z'));
    expect(nextFiring('5/20 * * * *', t('2026-12-07T10:06:00Z'), t('2026-12-07T12:00:00Z'))).toBe(t('2026-12-07T10:25:00Z'));
    expect(nextFiring('5/20 * * * *', t('2026-12-07T10:26:00Z'), t('2026-12-07T12:00:00Z'))).toBe(t('2026-12-07T10:45:00Z'));
    // 45 + 20 = 65 is past 59: the next one is 11:05.
    expect(nextFiring('5/20 * * * *', t('2026-12-07T10:46:00Z'), t('2026-12-07T12:00:00Z'))).toBe(t('2026-12-07T11:05:00Z'));
  });

  it('fires at a single value only, without a step', () => {
    // "5" alone is minute 5, not 5 to 59: from 10:06 the next is 11:05.
    expect(nextFiring('5 * * * *', t('2026-12-07T10:06:00Z'), t('2026-12-07T12:00:00Z'))).toBe(t('2026-12-07T11:05:00Z'));
  });

  it('reads lists, ranges and stepped ranges', () => {
    expect(nextFiring('10,40 * * * *', t('2026-12-07T10:11:00Z'), t('2026-12-07T12:00:00Z'))).toBe(t('2026-12-07T10:40:00Z'));
    expect(nextFiring('0 9-17 * * *', t('2026-12-07T05:00:00Z'), t('2026-12-08T12:00:00Z'))).toBe(t('2026-12-07T09:00:00Z'));
    // Past 17:00 the range is over for the day: next morning at 09:00.
    expect(nextFiring('0 9-17 * * *', t('2026-12-07T17:01:00Z'), t('2026-12-08T12:00:00Z'))).toBe(t('2026-12-08T09:00:00Z'));
    // 10-50/20 is 10, 30, 50.
    expect(nextFiring('10-50/20 * * * *', t('2026-12-07T10:31:00Z'), t('2026-12-07T12:00:00Z'))).toBe(t('2026-12-07T10:50:00Z'));
    expect(nextFiring('*/1 * * * *', t('2026-12-07T10:00:00Z'), t('2026-12-07T12:00:00Z'))).toBe(t('2026-12-07T10:00:00Z'));
    expect(nextFiring('*/15 * * * *', t('2026-12-07T10:01:00Z'), t('2026-12-07T12:00:00Z'))).toBe(t('2026-12-07T10:15:00Z'));
  });

  it('accepts each field at its bounds', () => {
    expect(nextFiring('59 23 * * *', t('2026-12-07T23:00:00Z'), t('2026-12-08T00:00:00Z'))).toBe(t('2026-12-07T23:59:00Z'));
    expect(nextFiring('0 0 1 1 *', t('2026-12-31T12:00:00Z'), t('2027-01-01T01:00:00Z'))).toBe(t('2027-01-01T00:00:00Z'));
    expect(nextFiring('0 0 31 12 *', t('2026-12-30T12:00:00Z'), t('2027-01-01T01:00:00Z'))).toBe(t('2026-12-31T00:00:00Z'));
  });
});

describe('nextFiring: the window', () => {
  it('starts at the first whole minute at or after `from`', () => {
    // From 01:59:30, minute 01:59 has begun already: the next 01:59 is a day later, outside the window.
    expect(nextFiring('59 1 * * *', t('2026-12-07T01:59:30Z'), t('2026-12-07T03:00:00Z'))).toBeUndefined();
    expect(nextFiring('59 1 * * *', t('2026-12-07T01:59:00Z'), t('2026-12-07T03:00:00Z'))).toBe(t('2026-12-07T01:59:00Z'));
    expect(nextFiring('0 2 * * *', t('2026-12-07T01:59:30Z'), t('2026-12-07T03:00:00Z'))).toBe(t('2026-12-07T02:00:00Z'));
  });

  it('includes the last minute of the window', () => {
    expect(nextFiring('0 2 * * *', t('2026-12-07T01:30:00Z'), t('2026-12-07T02:00:00Z'))).toBe(t('2026-12-07T02:00:00Z'));
    expect(nextFiring('0 2 * * *', t('2026-12-07T01:30:00Z'), t('2026-12-07T01:59:59Z'))).toBeUndefined();
  });
});

describe('nextFiring: days, months and weekdays', () => {
  it('reads month and weekday names, in any case, months from 1 and days from Sunday = 0', () => {
    expect(nextFiring('0 0 1 DEC *', t('2026-11-30T12:00:00Z'), t('2026-12-01T12:00:00Z'))).toBe(t('2026-12-01T00:00:00Z'));
    // November is over by the time the window reaches a midnight.
    expect(nextFiring('0 0 * NOV *', t('2026-11-30T23:30:00Z'), t('2026-12-01T01:00:00Z'))).toBeUndefined();
    expect(nextFiring('0 0 1 jan *', t('2026-12-31T12:00:00Z'), t('2027-01-01T01:00:00Z'))).toBe(t('2027-01-01T00:00:00Z'));
    expect(nextFiring('0 0 * * SUN', t('2026-12-05T12:00:00Z'), t('2026-12-07T12:00:00Z'))).toBe(t('2026-12-06T00:00:00Z'));
    expect(nextFiring('0 0 * * sat', t('2026-12-04T12:00:00Z'), t('2026-12-07T12:00:00Z'))).toBe(t('2026-12-05T00:00:00Z'));
    expect(nextFiring('0 0 * * 6', t('2026-12-04T12:00:00Z'), t('2026-12-07T12:00:00Z'))).toBe(t('2026-12-05T00:00:00Z'));
  });

  it('takes weekday 7 for Sunday, like 0', () => {
    expect(nextFiring('0 0 * * 7', t('2026-12-05T12:00:00Z'), t('2026-12-07T12:00:00Z'))).toBe(t('2026-12-06T00:00:00Z'));
    expect(nextFiring('0 0 * * 0', t('2026-12-05T12:00:00Z'), t('2026-12-07T12:00:00Z'))).toBe(t('2026-12-06T00:00:00Z'));
  });

  it('with only the day of month restricted, fires on that day whatever its weekday', () => {
    expect(nextFiring('0 0 15 * *', t('2026-12-07T00:01:00Z'), t('2026-12-10T00:00:00Z'))).toBeUndefined();
    expect(nextFiring('0 0 15 * *', t('2026-12-14T12:00:00Z'), t('2026-12-15T12:00:00Z'))).toBe(t('2026-12-15T00:00:00Z'));
    expect(nextFiring('0 0 15 * ?', t('2026-12-14T12:00:00Z'), t('2026-12-15T12:00:00Z'))).toBe(t('2026-12-15T00:00:00Z'));
  });

  it('with only the weekday restricted, fires on that weekday whatever the date', () => {
    // From Wednesday 2 December the next Tuesday is the 8th, outside a window ending on the 7th.
    expect(nextFiring('0 0 * * TUE', t('2026-12-02T00:01:00Z'), t('2026-12-07T00:00:00Z'))).toBeUndefined();
    expect(nextFiring('0 0 ? * TUE', t('2026-12-07T12:00:00Z'), t('2026-12-09T00:00:00Z'))).toBe(t('2026-12-08T00:00:00Z'));
  });

  it('with both day fields restricted, fires when either matches (cron’s rule)', () => {
    // "the 15th or any Monday": Monday 14 December comes first, then Tuesday the 15th.
    expect(nextFiring('0 0 15 * MON', t('2026-12-07T00:01:00Z'), t('2026-12-16T00:00:00Z'))).toBe(t('2026-12-14T00:00:00Z'));
    expect(nextFiring('0 0 15 * MON', t('2026-12-14T00:01:00Z'), t('2026-12-16T00:00:00Z'))).toBe(t('2026-12-15T00:00:00Z'));
  });

  it('does not fire outside the months it names', () => {
    expect(nextFiring('0 0 * 1 *', t('2026-12-07T00:00:00Z'), t('2026-12-10T00:00:00Z'))).toBeUndefined();
  });
});

describe('nextFiring: time zones', () => {
  it('reads minute, hour, day, month and weekday in the action’s time zone', () => {
    // Midnight on Tuesday 1 December in Tokyo is 2026-11-30T15:00Z, a Monday in November in UTC.
    // (Short windows: each minute looked at is one time-zone conversion.)
    const from = t('2026-11-30T14:55:00Z');
    const until = t('2026-11-30T15:35:00Z');
    expect(nextFiring('0 0 1 * *', from, until, 'Asia/Tokyo')).toBe(t('2026-11-30T15:00:00Z'));
    expect(nextFiring('0 0 * 12 *', from, until, 'Asia/Tokyo')).toBe(t('2026-11-30T15:00:00Z'));
    expect(nextFiring('0 0 * * TUE', from, until, 'Asia/Tokyo')).toBe(t('2026-11-30T15:00:00Z'));
    // 00:30 in Tokyo is 15:30Z.
    expect(nextFiring('30 0 * * *', from, until, 'Asia/Tokyo')).toBe(t('2026-11-30T15:30:00Z'));
    // 22:45 in Tokyo on 30 November is 13:45Z.
    expect(nextFiring('45 22 * * *', t('2026-11-30T13:40:00Z'), t('2026-11-30T13:50:00Z'), 'Asia/Tokyo')).toBe(t('2026-11-30T13:45:00Z'));
  });

  it('reads an action without a time zone in UTC, whatever the machine’s own zone', () => {
    const machineZone = process.env.TZ;
    process.env.TZ = 'Asia/Tokyo';
    try {
      // 02:00 UTC; in the machine's zone (Tokyo) it would be 17:00Z the day before.
      expect(nextFiring('0 2 * * *', t('2026-12-07T01:30:00Z'), t('2026-12-07T03:30:00Z'))).toBe(t('2026-12-07T02:00:00Z'));
    } finally {
      if (machineZone === undefined) delete process.env.TZ;
      else process.env.TZ = machineZone;
    }
  });

  it('reads UTC and Etc/UTC as UTC', () => {
    expect(nextFiring('0 2 * * *', t('2026-12-07T01:30:00Z'), t('2026-12-07T03:30:00Z'), 'UTC')).toBe(t('2026-12-07T02:00:00Z'));
    expect(nextFiring('0 2 * * *', t('2026-12-07T01:30:00Z'), t('2026-12-07T03:30:00Z'), 'Etc/UTC')).toBe(t('2026-12-07T02:00:00Z'));
  });
});

describe('nextFiring: malformed expressions', () => {
  const from = t('2026-12-07T00:00:00Z');
  const until = t('2026-12-07T01:00:00Z');

  it('refuses an expression without exactly five fields', () => {
    expect(() => nextFiring('0 2 * *', from, until)).toThrow(new RangeError('"0 2 * *" is not a five-field cron expression'));
    expect(() => nextFiring('0 2 * * * *', from, until)).toThrow(RangeError);
  });

  it('splits fields on any run of whitespace, ignoring it at either end', () => {
    expect(nextFiring('  0   0 * *\t* ', from, until)).toBe(from);
  });

  it('refuses values outside each field’s range, naming the range', () => {
    expect(() => nextFiring('60 * * * *', from, until)).toThrow(new RangeError('"60" is out of range 0-59'));
    expect(() => nextFiring('* 24 * * *', from, until)).toThrow(new RangeError('"24" is out of range 0-23'));
    expect(() => nextFiring('* * 0 * *', from, until)).toThrow(new RangeError('"0" is out of range 1-31'));
    expect(() => nextFiring('* * 32 * *', from, until)).toThrow(new RangeError('"32" is out of range 1-31'));
    expect(() => nextFiring('* * * 0 *', from, until)).toThrow(new RangeError('"0" is out of range 1-12'));
    expect(() => nextFiring('* * * 13 *', from, until)).toThrow(new RangeError('"13" is out of range 1-12'));
    expect(() => nextFiring('* * * * 8', from, until)).toThrow(new RangeError('"8" is out of range 0-7'));
    expect(() => nextFiring('0-60 * * * *', from, until)).toThrow(new RangeError('"60" is out of range 0-59'));
  });

  it('refuses values that are not whole numbers or names of the field', () => {
    expect(() => nextFiring('1.5 * * * *', from, until)).toThrow(new RangeError('"1.5" is out of range 0-59'));
    expect(() => nextFiring('x * * * *', from, until)).toThrow(new RangeError('"x" is out of range 0-59'));
    // Day names mean nothing in the month field.
    expect(() => nextFiring('* * * MON *', from, until)).toThrow(new RangeError('"MON" is out of range 1-12'));
  });

  it('refuses a step that is not a whole number of at least 1', () => {
    expect(() => nextFiring('*/0 * * * *', from, until)).toThrow(new RangeError('bad step in "*/0"'));
    expect(() => nextFiring('*/1.5 * * * *', from, until)).toThrow(new RangeError('bad step in "*/1.5"'));
    expect(() => nextFiring('*/x * * * *', from, until)).toThrow(new RangeError('bad step in "*/x"'));
  });
});
