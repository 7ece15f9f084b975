/** How numbers read at a terminal: shares, durations and times, the same in every view. */

/** A traffic share: 0.3333 → `33.3%`. */
export const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;

/** 0.4 s, 12.3 s, 4m 05s, 2h 03m. */
export function duration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * How long from `start` to `end`, or to `now` while it has not ended. Undefined without a
 * start, or without an end and a now: the renderer reads no clock, the surface passes it in.
 */
export function took(start: string | undefined, end: string | undefined, now?: number): string | undefined {
  if (!start) return undefined;
  const from = Date.parse(start);
  const to = end ? Date.parse(end) : now;
  return to !== undefined && Number.isFinite(from) && Number.isFinite(to) ? duration(Math.max(0, to - from)) : undefined;
}

/** 2026-11-24T12:00:03.123Z → 2026-11-24 12:00:03Z */
export function timestamp(iso: string | undefined): string {
  if (!iso) return '-';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}
