import type { z } from 'zod';
import { LifeboatError } from '../core/errors';

/** Parse with a zod schema, or throw LB_ERR_VALIDATION naming the offending field. */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.flatMap((i) => {
    // An unknown field is named as the field itself, not as its parent.
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ field: [...i.path, k].join('.'), message: 'unknown field' }));
    return [{ field: i.path.join('.') || '(body)', message: i.message }];
  });
  const first = issues[0]!;
  throw new LifeboatError('LB_ERR_VALIDATION', `${first.field}: ${first.message}`, { field: first.field, issues });
}
