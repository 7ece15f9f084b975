/** A group's instances in service against what it should have (an operation's capacity progress). */
export interface GroupCount {
  region: string;
  group: string;
  inService: number;
  target: number;
}

/** The characters a bar is drawn with: block characters, or ASCII (the REPL's `[####------]`). */
export interface BarCharacters {
  fill: string;
  empty: string;
}

/** `[██████░░░░░░░░░░░░░░]`: done of total, full (and no further) at or above total. */
export function progressBar(done: number, total: number, width = 20, chars: BarCharacters = { fill: '█', empty: '░' }): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.round(fraction * width);
  return `[${chars.fill.repeat(filled)}${chars.empty.repeat(width - filled)}]`;
}

/**
 * Capacity as bars for a terminal that follows an operation: one line per group whose count
 * changed since the last call (every group the first time), so the output grows only with news.
 */
export class CapacityBars {
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly indent: string,
    private readonly countWidth: number,
  ) {}

  changed(capacity: GroupCount[]): string[] {
    const nameWidth = Math.max(0, ...capacity.map((c) => c.group.length));
    const out: string[] = [];
    for (const c of capacity) {
      const key = `${c.region}\u0000${c.group}`;
      const now = `${c.inService}/${c.target}`;
      if (this.seen.get(key) === now) continue;
      this.seen.set(key, now);
      out.push(`${this.indent}${c.group.padEnd(nameWidth)}  ${progressBar(c.inService, c.target)} ${String(c.inService).padStart(this.countWidth)}/${c.target} in service`);
    }
    return out;
  }
}
