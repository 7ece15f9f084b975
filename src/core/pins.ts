import type { RegionCode } from './fleet';
import type { GroupSize } from './planner/plan-types';

/**
 * What lifeboat writes on an Auto Scaling group when it pins it (prescale raises MinSize so
 * the group's own scaling cannot undo a move), and removes when it lets go (finalize,
 * rollback). AWS keeps the record, so it outlives Redis: after Redis lost its keys, a
 * group still says which operation pinned it, its sizes before, and the weights of its
 * traffic name before the move; that is what `reconcile` returns the fleet to.
 *
 *   lifeboat:pinned-by       op_mxc1_9f3a...            the operation that pinned it (the first one)
 *   lifeboat:pinned-from     min=2,desired=6,max=20     its sizes before
 *   lifeboat:weights-before  us-east-1=100,us-west-2=100,eu-west-1=100
 *                            its traffic name's weights before the move (moves only)
 */
export const TAG_PINNED_BY = 'lifeboat:pinned-by';
export const TAG_PINNED_FROM = 'lifeboat:pinned-from';
export const TAG_WEIGHTS_BEFORE = 'lifeboat:weights-before';
export const PIN_TAGS = [TAG_PINNED_BY, TAG_PINNED_FROM, TAG_WEIGHTS_BEFORE] as const;

/** AWS's limit on a tag value. */
const TAG_VALUE_MAX = 256;

export interface PinRecord {
  operationId: string;
  /** The group's sizes before it was pinned. */
  from: GroupSize;
  /** The weights of the group's traffic name before the move, per region (a move's pins only). */
  weightsBefore?: Record<RegionCode, number>;
}

/** The tags that record a pin. Weights that would not fit a tag value are left out. */
export function pinTags(pin: PinRecord): Record<string, string> {
  const tags: Record<string, string> = {
    [TAG_PINNED_BY]: pin.operationId,
    [TAG_PINNED_FROM]: `min=${pin.from.minSize},desired=${pin.from.desiredCapacity},max=${pin.from.maxSize}`,
  };
  if (pin.weightsBefore) {
    const weights = Object.entries(pin.weightsBefore)
      .map(([r, w]) => `${r}=${w}`)
      .join(',');
    if (weights.length <= TAG_VALUE_MAX) tags[TAG_WEIGHTS_BEFORE] = weights;
  }
  return tags;
}

/** The pin a group's tags record, or undefined when it carries none (or one lifeboat cannot read). */
export function pinOf(tags: Readonly<Record<string, string>>): PinRecord | undefined {
  const operationId = tags[TAG_PINNED_BY];
  const from = pairs(tags[TAG_PINNED_FROM]);
  if (!operationId || !from) return undefined;
  const [minSize, desiredCapacity, maxSize] = [from.min, from.desired, from.max];
  if (minSize === undefined || desiredCapacity === undefined || maxSize === undefined) return undefined;
  const weightsBefore = pairs(tags[TAG_WEIGHTS_BEFORE]);
  return { operationId, from: { minSize, desiredCapacity, maxSize }, ...(weightsBefore ? { weightsBefore } : {}) };
}

/** `a=1,b=2` as numbers by key; undefined when absent or not of that shape. */
function pairs(value: string | undefined): Record<string, number> | undefined {
  if (!value) return undefined;
  const out: Record<string, number> = {};
  for (const part of value.split(',')) {
    const m = /^\s*([\w.-]+)=(\d+)\s*$/.exec(part);
    if (!m) return undefined;
    out[m[1]!] = Number(m[2]);
  }
  return out;
}
