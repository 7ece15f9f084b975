import fc from 'fast-check';
import { z } from 'zod';

/**
 * Property-based inputs from the API's own zod schemas: the schema is turned into JSON
 * Schema (zod's z.toJSONSchema), the JSON Schema into a fast-check arbitrary, and the
 * values it generates are then mutated into the near misses and garbage a client could
 * send. Covers the JSON Schema the API's schemas produce: object (properties, required,
 * additionalProperties, propertyNames), enum, const, string (pattern, min/maxLength),
 * number and integer (minimum, maximum, exclusive bounds), boolean, null, array
 * (items, min/maxItems), anyOf and oneOf, and type lists.
 */

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
}

export interface ArbitraryHints {
  /** Known-good strings for a pattern (keyed by the pattern's source), mixed in with generated ones. */
  patterns?: Record<string, readonly string[]>;
  /** Known values for a property, wherever it appears (e.g. service: ['api']). */
  properties?: Record<string, readonly unknown[]>;
  /** Known keys for a record-like property (e.g. parameters: ['demand', 'headroom']). */
  keys?: Record<string, readonly string[]>;
}

const jsonSchemas = new WeakMap<z.ZodType, JsonSchema>();

/** The JSON Schema of what a zod schema accepts as input (transforms and refinements left out). */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  let json = jsonSchemas.get(schema);
  if (!json) {
    json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    jsonSchemas.set(schema, json);
  }
  return json;
}

/** Arrays are kept short unless the schema demands more: long ones add time, not coverage. */
const ARRAY_CAP = 6;
const STRING_CAP = 24;

/** A fast-check arbitrary of values shaped like `schema` (mostly valid; refinements are not modelled). */
export function arbitraryOf(schema: JsonSchema, hints: ArbitraryHints = {}, name?: string): fc.Arbitrary<unknown> {
  const known = name !== undefined ? hints.properties?.[name] : undefined;
  const generated = generatedFrom(schema, hints, name);
  return known && known.length > 0 ? fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 3 }, { arbitrary: generated, weight: 1 }) : generated;
}

function generatedFrom(schema: JsonSchema, hints: ArbitraryHints, name: string | undefined): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => arbitraryOf(s, hints, name)));
  if (Array.isArray(schema.type)) return fc.oneof(...schema.type.map((t) => arbitraryOf({ ...schema, type: t }, hints, name)));
  switch (schema.type) {
    case 'object':
      return objectOf(schema, hints, name);
    case 'array':
      return arrayOf(schema, hints, name);
    case 'string':
      return stringOf(schema, hints);
    case 'number':
    case 'integer':
      return numberOf(schema);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      // Unrepresentable in JSON Schema (zod's "any"): anything JSON.
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectOf(schema: JsonSchema, hints: ArbitraryHints, name: string | undefined): fc.Arbitrary<unknown> {
  if (schema.properties) {
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [key, sub] of Object.entries(schema.properties)) model[key] = arbitraryOf(sub, hints, key);
    return fc.record(model, { requiredKeys: schema.required ?? [] });
  }
  if (typeof schema.additionalProperties === 'object') {
    const keyNames = name !== undefined ? hints.keys?.[name] : undefined;
    const generatedKey = stringOf({ type: 'string', ...(schema.propertyNames ?? {}) }, hints);
    const key = keyNames && keyNames.length > 0 ? fc.oneof({ arbitrary: fc.constantFrom(...keyNames), weight: 3 }, { arbitrary: generatedKey, weight: 1 }) : generatedKey;
    return fc.dictionary(key, arbitraryOf(schema.additionalProperties, hints), { maxKeys: 4 });
  }
  return fc.constant({});
}

function arrayOf(schema: JsonSchema, hints: ArbitraryHints, name: string | undefined): fc.Arbitrary<unknown> {
  const minLength = schema.minItems ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? ARRAY_CAP, ARRAY_CAP));
  // Hints for an array property (services: ['api']) apply to its items.
  return fc.array(schema.items ? arbitraryOf(schema.items, hints, name) : fc.jsonValue({ maxDepth: 1 }), { minLength, maxLength });
}

function stringOf(schema: JsonSchema, hints: ArbitraryHints): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength;
  if (schema.pattern) {
    const known = hints.patterns?.[schema.pattern] ?? [];
    const matching = fc.stringMatching(new RegExp(schema.pattern));
    return known.length > 0 ? fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 4 }, { arbitrary: matching, weight: 1 }) : matching;
  }
  const cap = Math.max(minLength, Math.min(maxLength ?? STRING_CAP, STRING_CAP));
  const options: Array<fc.WeightedArbitrary<string>> = [
    { arbitrary: fc.string({ minLength, maxLength: cap }), weight: 3 },
    { arbitrary: fc.string({ minLength, maxLength: cap, unit: 'binary' }), weight: 2 },
  ];
  // The longest string the schema allows, to sit on the boundary.
  if (maxLength !== undefined && maxLength > cap) options.push({ arbitrary: fc.constant('x'.repeat(maxLength)), weight: 1 });
  return fc.oneof(...options);
}

function numberOf(schema: JsonSchema): fc.Arbitrary<number> {
  const min = schema.minimum ?? schema.exclusiveMinimum;
  const max = schema.maximum ?? schema.exclusiveMaximum;
  const minExcluded = schema.minimum === undefined && schema.exclusiveMinimum !== undefined;
  const maxExcluded = schema.maximum === undefined && schema.exclusiveMaximum !== undefined;
  const boundaries = [min !== undefined && !minExcluded ? min : undefined, max !== undefined && !maxExcluded ? max : undefined].filter((b): b is number => b !== undefined);
  if (schema.type === 'integer') {
    const lo = min === undefined ? -(2 ** 31) : Math.ceil(minExcluded ? min + 1 : min);
    const hi = max === undefined ? 2 ** 31 : Math.floor(maxExcluded ? max - 1 : max);
    // Small values reach deeper (a fleet of 4 instances), large ones probe the bounds.
    const small = fc.integer({ min: lo, max: Math.min(hi, Math.max(lo, 0) + 20) });
    return fc.oneof(small, fc.integer({ min: lo, max: hi }), ...(boundaries.length ? [fc.constantFrom(...boundaries)] : []));
  }
  const double = fc.double({
    noNaN: true,
    noDefaultInfinity: true,
    ...(min !== undefined ? { min, minExcluded } : {}),
    ...(max !== undefined ? { max, maxExcluded } : {}),
  });
  const lo = min === undefined ? 0 : Math.ceil(minExcluded ? min + 1 : min);
  const hi = max === undefined ? lo + 1000 : Math.floor(maxExcluded ? max - 1 : max);
  const options: fc.Arbitrary<number>[] = [double];
  if (hi >= lo) options.push(fc.integer({ min: lo, max: Math.min(hi, lo + 1000) }));
  if (boundaries.length) options.push(fc.constantFrom(...boundaries));
  return fc.oneof(...options);
}

// ---------------------------------------------------------------------------------------
// Mutations: from a (mostly) valid value to the inputs a careless or hostile client sends.

/** Keys that have bitten JavaScript servers before. */
export const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', ''] as const;

/** [[[...]]] or {"a":{"a":...}} nested `depth` levels deep. */
export function deeplyNested(depth: number, asObject: boolean): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = asObject ? { a: v } : [v];
  return v;
}

/** An object with an own (JSON-visible) property named `key`, even for "__proto__". */
export function withOwnKey(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

/** Values of the wrong type, out of range, too big, too deep, or hostile. */
export const garbage: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, -0, 0.5, 1.5, 101, 256, 100001, 86401, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER + 2, '', ' ', '0', '1', 'true', 'null', [], {}, [null], ['us-east-1']),
  fc.double(),
  fc.integer(),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(...HOSTILE_KEYS).map((k) => withOwnKey({}, k, { polluted: true })),
  fc.constantFrom(1001, 2001, 5000).map((n) => 'x'.repeat(n)),
  // Deep, but not so deep that JSON.stringify overflows the stack (deeper bodies are written as text).
  fc.tuple(fc.integer({ min: 20, max: 1500 }), fc.boolean()).map(([depth, asObject]) => deeplyNested(depth, asObject)),
);

type Container = Record<string, unknown> | unknown[];

/** Every object and array inside `value` (itself included), outermost first. */
function containers(value: unknown, out: Container[] = [], depth = 0): Container[] {
  if (value === null || typeof value !== 'object' || depth > 20) return out;
  out.push(value as Container);
  for (const v of Object.values(value)) containers(v, out, depth + 1);
  return out;
}

export type Mutation =
  | { op: 'replace'; at: number; pick: number; with: unknown }
  | { op: 'delete'; at: number; pick: number }
  | { op: 'add'; at: number; key: string; with: unknown }
  | { op: 'wrap'; at: number; pick: number }
  | { op: 'stringify'; at: number; pick: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), pick: fc.nat(), with: garbage }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), pick: fc.nat() }),
  fc.record({ op: fc.constant('add' as const), at: fc.nat(), key: fc.oneof(fc.constantFrom<string>(...HOSTILE_KEYS, 'extra', 'kind', 'dryRun', 'force'), fc.string({ maxLength: 12 })), with: garbage }),
  fc.record({ op: fc.constant('wrap' as const), at: fc.nat(), pick: fc.nat() }),
  fc.record({ op: fc.constant('stringify' as const), at: fc.nat(), pick: fc.nat() }),
);

/** Apply one mutation to a copy of `value` (a JSON value). */
export function applyMutation(value: unknown, m: Mutation): unknown {
  const root = structuredCloneJson(value);
  const all = containers(root);
  if (all.length === 0) return m.op === 'replace' ? m.with : m.op === 'wrap' ? [root] : m.op === 'stringify' ? JSON.stringify(root) : root;
  const target = all[m.at % all.length]!;
  const keys = Array.isArray(target) ? target.map((_, i) => i) : Object.keys(target);
  if (m.op === 'add') {
    if (Array.isArray(target)) target.push(m.with);
    else withOwnKey(target, m.key, m.with);
    return root;
  }
  if (keys.length === 0) return m.op === 'replace' && target === root ? m.with : root;
  const key = keys[m.pick % keys.length]!;
  const t = target as Record<string | number, unknown>;
  // Own-property writes, so a key named "__proto__" stays data instead of becoming the prototype.
  const set = (v: unknown) => (Array.isArray(target) ? (target[key as number] = v) : withOwnKey(target, key as string, v));
  if (m.op === 'delete') {
    if (Array.isArray(target)) target.splice(key as number, 1);
    else delete t[key];
  } else if (m.op === 'replace') {
    set(m.with);
  } else if (m.op === 'wrap') {
    set([t[key]]);
  } else {
    set(typeof t[key] === 'string' ? 0 : JSON.stringify(t[key]) ?? 'undefined');
  }
  return root;
}

/** A JSON copy that keeps own "__proto__" keys as data (JSON.parse does). */
function structuredCloneJson(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? undefined : JSON.parse(text);
}

/** One to three mutations of values from `valid`. */
export function mutationsOf(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(valid, fc.array(mutationArb, { minLength: 1, maxLength: 3 })).map(([v, ms]) => ms.reduce<unknown>((acc, m) => applyMutation(acc, m), v));
}

/** A whole body that is not the object asked for at all. */
export const notAnObject: fc.Arbitrary<unknown> = fc.oneof(
  garbage,
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.integer({ min: 500, max: 1500 }).map((d) => deeplyNested(d, false)),
);
