import type { z } from 'zod';
import { LifeboatError } from '../core/errors';
import { REGION_CODE_MESSAGE } from '../core/intents';
import { closestMatch, didYouMean } from '../core/suggest';

export interface FieldIssue {
  field: string;
  message: string;
  /** The known name nearest to what was sent, when it looks like a slip (`stage` → `stages`). */
  suggestion?: string;
}

/** Names the caller knows and zod cannot: the managed regions, for "did you mean" on a region code. */
export interface Vocabulary {
  regions?: readonly string[];
}

/**
 * Parse with a zod schema, or throw LB_ERR_VALIDATION naming the offending field, with the
 * nearest known name when the field, the kind or the region looks mistyped.
 *
 * JSON.parse keeps a `__proto__` key as an own property, but zod's records drop it without
 * a word: such a key is refused instead, so nothing a caller sent is silently ignored.
 */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, vocabulary: Vocabulary = {}): z.infer<T> {
  const prototypeKey = prototypeKeyIssue(value);
  if (prototypeKey) throw new LifeboatError('LB_ERR_VALIDATION', `${prototypeKey.field}: ${prototypeKey.message}`, { field: prototypeKey.field, issues: [prototypeKey] });
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = zodIssues(parsed.error, '(body)', { schema, value, ...vocabulary });
  const first = issues[0]!;
  throw new LifeboatError('LB_ERR_VALIDATION', `${first.field}: ${first.message}`, { field: first.field, ...(first.suggestion ? { suggestion: first.suggestion } : {}), issues });
}

/** What zodIssues may use to suggest: the schema and value parsed, and the caller's vocabulary. */
interface SuggestFrom extends Vocabulary {
  schema?: z.ZodType;
  value?: unknown;
}

/** A zod error as one issue per field, dotted paths; an issue about the value as a whole is named `rootField`. */
export function zodIssues(error: z.ZodError, rootField: string, from: SuggestFrom = {}): FieldIssue[] {
  return error.issues.flatMap((i): FieldIssue[] => {
    const path = i.path.filter((k): k is string | number => typeof k !== 'symbol');
    // An unknown field is named as the field itself, not as its parent.
    if (i.code === 'unrecognized_keys') {
      const known = from.schema ? fieldsAt(from.schema, from.value, path) : [];
      return i.keys.map((k) => withSuggestion({ field: [...path, k].join('.'), message: 'unknown field' }, k, known, 'fields'));
    }
    const field = path.join('.') || rootField;
    const sent = valueAt(from.value, path);
    if (i.code === 'invalid_union' && 'discriminator' in i && Array.isArray((i as { options?: unknown }).options)) {
      const options = ((i as { options: unknown[] }).options).map(String);
      const shown = typeof sent === 'string' ? `"${sent}"` : JSON.stringify(sent) ?? 'nothing';
      return [withSuggestion({ field, message: `unknown ${field} ${shown}` }, sent, options, `${field}s`)];
    }
    if (i.message === REGION_CODE_MESSAGE && from.regions?.length) {
      return [withSuggestion({ field, message: `${JSON.stringify(sent)} is not ${REGION_CODE_MESSAGE}` }, sent, from.regions, 'managed regions')];
    }
    return [{ field, message: i.message }];
  });
}

/** The issue with ` (did you mean x?)` and the known names, when what was sent is a string near one of them. */
function withSuggestion(issue: FieldIssue, sent: unknown, known: readonly string[], knownAs: string): FieldIssue {
  if (typeof sent !== 'string' || known.length === 0) return issue;
  const suggestion = closestMatch(sent, known);
  const list = known.length <= 12 ? `; ${knownAs}: ${known.join(', ')}` : '';
  return { ...issue, message: `${issue.message}${didYouMean(sent, known)}${list}`, ...(suggestion ? { suggestion } : {}) };
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let at = value;
  for (const key of path) at = typeof at === 'object' && at !== null ? (at as Record<string | number, unknown>)[key] : undefined;
  return at;
}

/** zod 4's definition of a schema, as far as finding an object's fields needs it. */
interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  valueType?: z.ZodType;
  element?: z.ZodType;
  values?: unknown[];
}

const defOf = (schema: z.ZodType): SchemaDef => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** The schema itself, past optional/default/pipe wrappers and, for a union, the branch the value is meant for. */
function unwrap(schema: z.ZodType, value: unknown): z.ZodType | undefined {
  let s: z.ZodType | undefined = schema;
  for (let depth = 0; s && depth < 20; depth++) {
    const def = defOf(s);
    if (def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else if (def.type === 'union' && def.options) {
      const tag = def.discriminator && typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[def.discriminator] : undefined;
      const objects: z.ZodType[] = def.options.filter((o) => defOf(o).type === 'object');
      s = objects.find((o) => def.discriminator && defOf(defOf(o).shape![def.discriminator]!).values?.includes(tag)) ?? (objects.length === 1 ? objects[0] : undefined);
    } else return s;
  }
  return s;
}

/** The fields an object schema at `path` knows (for "did you mean" on an unknown one). */
function fieldsAt(schema: z.ZodType, value: unknown, path: readonly (string | number)[]): string[] {
  let s = unwrap(schema, value);
  let v = value;
  for (const key of path) {
    if (!s) return [];
    const def = defOf(s);
    const next = def.type === 'object' ? def.shape?.[String(key)] : def.type === 'record' ? def.valueType : def.type === 'array' ? def.element : undefined;
    v = valueAt(v, [key]);
    s = next ? unwrap(next, v) : undefined;
  }
  const shape = s ? defOf(s).shape : undefined;
  return shape ? Object.keys(shape) : [];
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
