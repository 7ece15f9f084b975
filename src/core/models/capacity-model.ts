import type { EvalFunction, MathNode } from 'mathjs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { LifeboatError } from '../errors';
import { compileExpression, modelMath, parseExpression } from './model-math';
import type { VectorExpression } from './vector-compiler';
import { compileVector } from './vector-compiler';

/**
 * A capacity model is data: a YAML file in models/ with parameters and mathjs
 * expressions, evaluated for one service across all regions at once. Every input below
 * is a vector with one entry per managed region, in LIFEBOAT_REGIONS order.
 */
const MODEL_INPUTS = {
  current: 'instances the region runs now for the service (DesiredCapacity summed over its groups)',
  inService: 'instances InService and Healthy now',
  minSize: 'MinSize summed over the groups',
  maxSize: 'MaxSize summed over the groups',
  share: 'share of the service traffic the region serves now (0..1)',
  targetShare: 'share of the service traffic the plan gives the region (0..1)',
  capacityPerInstance: 'requests per second one instance serves (tag lifeboat:capacity-per-instance); NaN where untagged',
  load: "measured demand the region serves, as sized for (the peak ahead within `horizon`), in the load metric's unit (instance-% for CPU); sum(load) is the service's; NaN when not measured",
  loadPerInstance: 'load ÷ the instances in service now: what each carries of it',
  targetUtilization: "load one instance should carry after a move, in the load metric's unit (tag lifeboat:target-utilization); NaN where untagged",
  loadCapacity: "load one instance carries at full use, in the load metric's unit: 100 for CPU (%), capacity-per-instance for a count; NaN where unknown",
  instances: 'only in `servable`: the instances whose servable share is asked',
} as const;

type ModelInputName = keyof typeof MODEL_INPUTS;

/** The inputs that come from measured load: a model that reads one needs the fleet's load, or falls back. */
export const LOAD_INPUTS: readonly ModelInputName[] = ['load', 'loadPerInstance', 'targetUtilization', 'loadCapacity'];

const CONSTANTS = new Set(['pi', 'e', 'Infinity', 'NaN', 'true', 'false', 'null', 'phi', 'tau']);

const parameterSchema = z
  .object({
    description: z.string().min(1),
    unit: z.string().min(1),
    default: z.number().finite().optional(),
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
  })
  .strict();

const modelFileSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes, starting with a letter'),
    description: z.string().min(1),
    /** The model that sizes a service this one cannot (no measured load for it). */
    fallback: z.string().regex(/^[a-z][a-z0-9-]*$/, 'a model name').optional(),
    parameters: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'a parameter name is a mathjs symbol: letters and digits'), parameterSchema).default({}),
    expressions: z
      .record(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'an expression name is a mathjs symbol: letters and digits'), z.string().min(1))
      .refine((e) => 'required' in e, { message: 'must define `required`: instances needed per region' }),
  })
  .strict();

type ModelParameter = z.infer<typeof parameterSchema>;

export interface CapacityModel {
  name: string;
  description: string;
  file: string;
  parameters: Record<string, ModelParameter>;
  expressions: Record<string, string>;
  /** The model that sizes a service this one cannot (one that reads measured load, for a service without it). */
  fallback?: string;
  /** Inputs the model reads (directly or through its own expressions). */
  inputsUsed: ModelInputName[];
  /** Whether it reads measured load (LOAD_INPUTS). */
  readsLoad: boolean;
  /** Whether the model says how much share given instances can serve; otherwise lifeboat bisects `required`. */
  hasServable: boolean;
  /** Each expression compiled for mathjs, and for the vector fast path where it fits (see vector-compiler.ts). */
  compiled: Array<{ name: string; code: EvalFunction; fast?: VectorExpression; dependsOn: Set<string> }>;
}

function invalid(file: string, field: string, what: string): LifeboatError {
  return new LifeboatError('LB_ERR_MODEL_INVALID', `${file}: ${field}: ${what}`, { file, field });
}

/** Parse, validate and compile one model file. Throws LB_ERR_MODEL_INVALID naming file and field. */
export function compileModel(file: string, text: string): CapacityModel {
  const def = parseModelFile(file, text);
  checkParameters(file, def.parameters);
  const compiled = compileExpressions(file, def);
  if (def.fallback === def.name) throw invalid(file, 'fallback', 'a model cannot fall back to itself');
  const inputsUsed = inputsUsedBy(compiled);
  return {
    name: def.name,
    description: def.description.trim(),
    file,
    ...(def.fallback ? { fallback: def.fallback } : {}),
    parameters: def.parameters,
    expressions: def.expressions,
    inputsUsed,
    readsLoad: inputsUsed.some((i) => LOAD_INPUTS.includes(i)),
    hasServable: 'servable' in def.expressions,
    compiled,
  };
}

type ModelFile = z.infer<typeof modelFileSchema>;

/** The YAML read and checked against the schema; the first problem is reported by line or by field. */
function parseModelFile(file: string, text: string): ModelFile {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const line = err.linePos?.[0]?.line;
    throw invalid(file, line ? `line ${line}` : 'yaml', err.message.split('\n')[0]!);
  }
  const parsed = modelFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // A record key that fails its pattern comes as "Invalid key in record", the pattern's own message inside.
    const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    throw invalid(file, issue.path.join('.') || '(top level)', message);
  }
  const def = parsed.data;
  // The catalog is keyed by name and people look for the file by it: one name for both.
  const base = file.split('/').pop()!.replace(/\.ya?ml$/, '');
  if (def.name !== base) throw invalid(file, 'name', `"${def.name}" must match the file name "${base}"`);
  return def;
}

/** A parameter may not shadow a fleet input, and its default must lie within its own bounds. */
function checkParameters(file: string, parameters: ModelFile['parameters']): void {
  for (const [pname, p] of Object.entries(parameters)) {
    const field = `parameters.${pname}`;
    if (pname in MODEL_INPUTS) throw invalid(file, field, `"${pname}" is a fleet input; choose another name`);
    if (p.min !== undefined && p.max !== undefined && p.min > p.max) throw invalid(file, field, `min ${p.min} is above max ${p.max}`);
    if (p.default !== undefined) {
      if (p.min !== undefined && p.default < p.min) throw invalid(file, `${field}.default`, `${p.default} is below min ${p.min}`);
      if (p.max !== undefined && p.default > p.max) throw invalid(file, `${field}.default`, `${p.default} is above max ${p.max}`);
    }
  }
}

/** What an expression may name: the fleet inputs, the parameters, and the expressions above it with what they read. */
interface ExpressionScope {
  file: string;
  parameters: string[];
  known: Set<string>;
  earlier: Map<string, Set<string>>;
}

/**
 * Each expression, in file order: parsed, its names resolved against what comes before it,
 * its functions checked against the model functions, and compiled for mathjs and, where it
 * fits, for the vector fast path.
 */
function compileExpressions(file: string, def: ModelFile): CapacityModel['compiled'] {
  const parameters = Object.keys(def.parameters);
  const scope: ExpressionScope = { file, parameters, known: new Set<string>([...Object.keys(MODEL_INPUTS), ...parameters]), earlier: new Map() };
  const compiled: CapacityModel['compiled'] = [];
  for (const [ename, source] of Object.entries(def.expressions)) {
    const field = `expressions.${ename}`;
    if (scope.known.has(ename) && !scope.earlier.has(ename)) throw invalid(file, field, `"${ename}" is already an input or a parameter`);
    const node = parseModelExpression(file, field, source);
    const locals = localNames(node);
    const dependsOn = dependenciesOf(node, locals, scope, field);
    checkFunctions(node, locals, file, field);
    checkExpressionRole(ename, dependsOn, file, field);
    scope.earlier.set(ename, dependsOn);
    scope.known.add(ename);
    const fast = compileVector(node);
    compiled.push({ name: ename, code: compileExpression(source), ...(fast ? { fast } : {}), dependsOn });
  }
  return compiled;
}

function parseModelExpression(file: string, field: string, source: string): MathNode {
  try {
    return parseExpression(source);
  } catch (e) {
    throw invalid(file, field, `does not parse: ${(e as Error).message}`);
  }
}

/**
 * What an expression reads, directly or through the expressions above it that it names.
 *
 * Worked example (erlang-c): erlangs = "demand * targetShare ./ capacityPerInstance" reads
 * {demand, targetShare, capacityPerInstance}; required = "erlangServers(erlangs,
 * maxWaitProbability, capacityPerInstance, answerWithin, serviceLevel)" reads erlangs and,
 * through it, demand and targetShare as well.
 */
function dependenciesOf(node: MathNode, locals: Set<string>, scope: ExpressionScope, field: string): Set<string> {
  const dependsOn = new Set<string>();
  for (const s of referencedSymbols(node, locals)) {
    if (scope.earlier.has(s)) {
      dependsOn.add(s);
      for (const d of scope.earlier.get(s)!) dependsOn.add(d);
    } else if (scope.known.has(s)) {
      dependsOn.add(s);
    } else if (!CONSTANTS.has(s)) {
      throw invalid(
        scope.file,
        field,
        `unknown symbol "${s}" (inputs: ${Object.keys(MODEL_INPUTS).join(', ')}; parameters: ${scope.parameters.join(', ') || 'none'}; earlier expressions: ${[...scope.earlier.keys()].join(', ') || 'none'})`,
      );
    }
  }
  return dependsOn;
}

/** An expression calls the model functions (model-math.ts) or functions it defines itself. */
function checkFunctions(node: MathNode, locals: Set<string>, file: string, field: string): void {
  for (const fn of calledFunctions(node)) {
    if (typeof (modelMath as unknown as Record<string, unknown>)[fn] !== 'function' && !locals.has(fn)) {
      throw invalid(file, field, `unknown function "${fn}"`);
    }
  }
}

/**
 * `required` computes instances; `servable` answers for given `instances`. So only
 * `servable` may read `instances`, and it may not read what exists only once instances
 * are decided (targetShare, required).
 */
function checkExpressionRole(ename: string, dependsOn: Set<string>, file: string, field: string): void {
  if (ename === 'required' && dependsOn.has('instances')) throw invalid(file, field, '`required` cannot use `instances`; it computes them');
  if (ename === 'servable' && (dependsOn.has('targetShare') || dependsOn.has('required'))) {
    throw invalid(file, field, '`servable` answers for given `instances`; it cannot use targetShare or required');
  }
  if (ename !== 'servable' && ename !== 'required' && dependsOn.has('instances')) {
    throw invalid(file, field, 'only `servable` may use `instances`');
  }
}

/** The fleet inputs a model reads to size a region; `servable` aside, which is asked only with instances given. */
function inputsUsedBy(compiled: CapacityModel['compiled']): ModelInputName[] {
  return (Object.keys(MODEL_INPUTS) as ModelInputName[]).filter((i) => compiled.some((c) => c.name !== 'servable' && c.dependsOn.has(i)));
}

/** Names an expression defines for itself: lambda parameters, local functions and assignments. */
function localNames(node: MathNode): Set<string> {
  const locals = new Set<string>();
  node.traverse((n) => {
    if (n.type === 'FunctionAssignmentNode') {
      const fa = n as unknown as { name: string; params: string[] };
      locals.add(fa.name);
      for (const p of fa.params) locals.add(p);
    }
    if (n.type === 'AssignmentNode') {
      const target = (n as unknown as { object: MathNode }).object;
      if (target.type === 'SymbolNode') locals.add((target as unknown as { name: string }).name);
    }
  });
  return locals;
}

/** Symbols an expression reads, minus function names and its own local names. */
function referencedSymbols(node: MathNode, locals: Set<string>): Set<string> {
  const symbols = new Set<string>();
  node.traverse((n, _path, parent) => {
    if (n.type !== 'SymbolNode') return;
    const name = (n as unknown as { name: string }).name;
    if (parent?.type === 'FunctionNode' && (parent as unknown as { fn: MathNode }).fn === n) return;
    if (!locals.has(name)) symbols.add(name);
  });
  return symbols;
}

function calledFunctions(node: MathNode): Set<string> {
  const fns = new Set<string>();
  node.traverse((n) => {
    if (n.type === 'FunctionNode') {
      const fn = (n as unknown as { fn: MathNode }).fn;
      if (fn.type === 'SymbolNode') fns.add((fn as unknown as { name: string }).name);
    }
  });
  return fns;
}

/** Every model lifeboat knows, by name: loaded and compiled once at start. */
export type ModelCatalog = ReadonlyMap<string, CapacityModel>;

/**
 * Every fallback names a model of the catalog, and following fallbacks never comes back
 * to where it started. Throws LB_ERR_MODEL_INVALID naming the file.
 */
export function checkFallbacks(catalog: ModelCatalog): void {
  for (const model of catalog.values()) {
    const seen = new Set([model.name]);
    for (let m: CapacityModel | undefined = model; m?.fallback; ) {
      const next = catalog.get(m.fallback);
      if (!next) throw invalid(m.file, 'fallback', `no model named "${m.fallback}" (have: ${[...catalog.keys()].join(', ')})`);
      if (seen.has(next.name)) throw invalid(model.file, 'fallback', `falling back from ${model.name} comes back to ${next.name}`);
      seen.add(next.name);
      m = next;
    }
  }
}
