import type { z } from 'zod';
import { LifeboatError } from '../core/errors';

export interface FieldIssue {
  field: string;
  message: string;
}

/**
 * Parse with a zod schema, or throw LB_ERR_VALIDATION naming the offending field.
 *
 * JSON.parse keeps a `__proto__` key as an own property, but zod's records drop it without
 * a word: such a key is refused instead, so nothing a caller sent is silently ignored.
 */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const prototypeKey = prototypeKeyIssue(value);
  if (prototypeKey) throw new LifeboatError('LB_ERR_VALIDATION', `${prototypeKey.field}: ${prototypeKey.message}`, { field: prototypeKey.field, issues: [prototypeKey] });
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = zodIssues(parsed.error, '(body)');
  const first = issues[0]!;
  throw new LifeboatError('LB_ERR_VALIDATION', `${first.field}: ${first.message}`, { field: first.field, issues });
}

/** A zod error as one issue per field, dotted paths; an issue about the value as a whole is named `rootField`. */
export function zodIssues(error: z.ZodError, rootField: string): FieldIssue[] {
  return error.issues.flatMap((i) => {
    // An unknown field is named as the field itself, not as its parent.
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ field: [...i.path, k].join('.'), message: 'unknown field' }));
    return [{ field: i.path.join('.') || rootField, message: i.message }];
  });
}

/** The issue to report when value holds an own `__proto__` key anywhere, or undefined. */
export function prototypeKeyIssue(value: unknown): FieldIssue | undefined {
  const field = prototypeKeyPath(value);
  return field === undefined ? undefined : { field, message: 'a key named __proto__ is not allowed' };
}

interface Visit {
  value: unknown;
  key?: string;
  parent?: Visit;
}

/** The dotted path of an own `__proto__` key anywhere in value. A loop: bodies may nest deeper than the stack. */
function prototypeKeyPath(value: unknown): string | undefined {
  const pending: Visit[] = [{ value }];
  for (let visit = pending.pop(); visit; visit = pending.pop()) {
    const v = visit.value;
    if (typeof v !== 'object' || v === null) continue;
    for (const key of Object.keys(v)) {
      const child: Visit = { value: (v as Record<string, unknown>)[key], key, parent: visit };
      if (key === '__proto__') return pathOf(child);
      pending.push(child);
    }
  }
  return undefined;
}

function pathOf(visit: Visit): string {
  const keys: string[] = [];
  for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) keys.unshift(at.key);
  return keys.join('.');
}
