/**
 * A plain-text table with aligned columns, for terminals and logs. Numbers align right, and
 * so do the columns named in `alignRight` (percentages, `before → after` cells) that read
 * better that way though they are text.
 */
export function formatTable(headers: string[], rows: Array<Array<string | number>>, indent = '  ', alignRight: readonly number[] = []): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const right = headers.map((_, i) => alignRight.includes(i) || (rows.length > 0 && rows.every((r) => typeof r[i] === 'number')));
  const line = (r: string[]) =>
    indent +
    r
      .map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}
