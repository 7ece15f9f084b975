import type { CapacityProgress } from '../operations/operation-types';

/** A group's instances in service against what it should have (an operation's capacity progress). */
type GroupCount = Pick<CapacityProgress, 'region' | 'group' | 'inService' | 'target'>;

/** The characters a bar is drawn with: block characters, or ASCII (the REPL's `[####------]`). */
interface BarCharacters {
  fill: string;
  empty: string;
}

const ASCII: BarCharacters = { fill: '#', empty: '-' };

/** `[██████░░░░░░░░░░░░░░]`: done of total, full (and no further) at or above total. */
export function progressBar(done: number, total: number, width = 20, chars: BarCharacters = { fill: '█', empty: '░' }): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.round(fraction * width);
  return `[${chars.fill.repeat(filled)}${chars.empty.repeat(width - filled)}]`;
}

/**
 * How a group's capacity is drawn. `wide`, under a step announced on its own line (CLI, demo):
 * `api-us-west-2  [█████░░░░░░░░░░░░░░░]    4/16 in service`, names padded to `nameWidth` so bars
 * line up. `compact`, in the REPL: `[##--------] 4/16 api-us-west-2`, the region added when the
 * group's name does not say it.
 */
type CapacityStyle = 'wide' | 'compact';

export function capacityLine(c: GroupCount, style: CapacityStyle, nameWidth = 0): string {
  if (style === 'compact') return `${progressBar(c.inService, c.target, 10, ASCII)} ${c.inService}/${c.target} ${c.group}${c.group.includes(c.region) ? '' : ` (${c.region})`}`;
  return `${c.group.padEnd(nameWidth)}  ${progressBar(c.inService, c.target)} ${String(c.inService).padStart(4)}/${c.target} in service`;
}
