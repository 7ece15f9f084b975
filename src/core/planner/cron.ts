/**
 * When a recurring scheduled action fires next: Auto Scaling's Recurrence is a Unix cron
 * expression (minute hour day-of-month month day-of-week), in the action's time zone (UTC
 * unless it names one). Pure: the instants to look between are arguments.
 *
 * Worked example: "0 2 * * *" in UTC, looking from 2026-12-07T01:30Z for 2 hours →
 * 2026-12-07T02:00Z.
 */

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field {
  min: number;
  max: number;
  names?: string[];
  /** Where names count from: months are 1-based, days 0-based. */
  nameBase?: number;
}

const FIELDS: Field[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { min: 0, max: 7, names: DAYS, nameBase: 0 },
];

function valueOf(text: string, field: Field): number {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  const n = named >= 0 ? named + (field.nameBase ?? 0) : Number(text);
  if (!Number.isInteger(n) || n < field.min || n > field.max) throw new RangeError(`"${text}" is out of range ${field.min}-${field.max}`);
  return n;
}

/** The values one cron field allows, or undefined for `*` (anything). */
function parseField(text: string, field: Field): Set<number> | undefined {
  if (text === '*' || text === '?') return undefined;
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new RangeError(`bad step in "${part}"`);
    const [from, to] = range === '*' ? [field.min, field.max] : range!.includes('-') ? range!.split('-').map((x) => valueOf(x, field)) : [valueOf(range!, field), stepText === undefined ? valueOf(range!, field) : field.max];
    for (let v = from!; v <= to!; v += step) out.add(v);
  }
  return out;
}

interface LocalTime {
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
}

function localTime(at: number, timeZone: string | undefined): LocalTime {
  if (!timeZone || timeZone === 'UTC' || timeZone === 'Etc/UTC') {
    const d = new Date(at);
    return { minute: d.getUTCMinutes(), hour: d.getUTCHours(), day: d.getUTCDate(), month: d.getUTCMonth() + 1, weekday: d.getUTCDay() };
  }
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hour12: false, minute: 'numeric', hour: 'numeric', day: 'numeric', month: 'numeric', weekday: 'short' }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { minute: Number(part('minute')), hour: Number(part('hour')) % 24, day: Number(part('day')), month: Number(part('month')), weekday: DAYS.indexOf(part('weekday').toUpperCase()) };
}

/**
 * The first minute in [from, until] (epoch ms) that the expression fires, or undefined. A
 * malformed expression throws RangeError. Cron's rule holds: when both day fields are
 * restricted, either may match.
 */
export function nextFiring(expression: string, from: number, until: number, timeZone?: string): number | undefined {
  const texts = expression.trim().split(/\s+/);
  if (texts.length !== 5) throw new RangeError(`"${expression}" is not a five-field cron expression`);
  const [minutes, hours, days, months, weekdays] = texts.map((t, i) => parseField(t, FIELDS[i]!));
  if (weekdays?.has(7)) weekdays.add(0);
  const firstMinute = Math.ceil(from / 60_000) * 60_000;
  for (let at = firstMinute; at <= until; at += 60_000) {
    const t = localTime(at, timeZone);
    if (minutes && !minutes.has(t.minute)) continue;
    if (hours && !hours.has(t.hour)) continue;
    if (months && !months.has(t.month)) continue;
    const dayOk = !days || days.has(t.day);
    const weekdayOk = !weekdays || weekdays.has(t.weekday);
    if (days && weekdays ? dayOk || weekdayOk : dayOk && weekdayOk) return at;
  }
  return undefined;
}
