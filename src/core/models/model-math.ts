import { all, create } from 'mathjs';
import { erlangC, erlangServersFor } from './erlang';

/**
 * The mathjs instance capacity models are compiled with: mathjs plus a few element-wise
 * functions that region vectors need, and without the functions that would let an
 * expression reach beyond its scope (per mathjs's security notes).
 */
export const modelMath = create(all!, {});

type Value = number | boolean | Value[];

/** Apply `fn` element by element over arrays, broadcasting scalars. */
function elementwise(fn: (...args: number[]) => number) {
  const apply = (...args: unknown[]): Value => {
    const arrays = args.map(toPlain);
    const length = arrays.find(Array.isArray)?.length;
    if (length === undefined) return fn(...(arrays as number[]));
    for (const a of arrays) {
      if (Array.isArray(a) && a.length !== length) {
        throw new RangeError(`vectors of different lengths (${length} and ${a.length})`);
      }
    }
    const out: Value[] = [];
    for (let i = 0; i < length; i++) out.push(apply(...arrays.map((a) => (Array.isArray(a) ? a[i] : a))));
    return out;
  };
  return apply;
}

function toPlain(v: unknown): unknown {
  if (modelMath.isMatrix(v)) return (v as { toArray(): unknown }).toArray();
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

/** Tolerance for float noise before rounding up: 15 × 1.1 must not become 17 instances. */
const INSTANCE_EPSILON = 1e-9;

/** Smallest whole number of instances ≥ x, forgiving float noise; NaN stays NaN (Math.max of NaN is NaN). */
export function wholeInstances(x: number): number {
  return Math.max(0, Math.ceil(x - INSTANCE_EPSILON));
}

/**
 * The model functions on numbers. mathjs gets them element-wise (below), and the vector
 * compiler applies them to its own arrays: one definition, so the two cannot disagree.
 */
export const modelScalars = {
  /** where(condition, a, b): a where the condition holds, b elsewhere. */
  where: (cond: number, a: number, b: number): number => (cond ? a : b),
  /** Element-wise maximum of two vectors (mathjs's max reduces instead). */
  atLeast: (a: number, b: number): number => Math.max(a, b),
  /** Element-wise minimum of two vectors. */
  atMost: (a: number, b: number): number => Math.min(a, b),
  wholeInstances,
  /** Probability of waiting in M/M/c: erlangC(servers, load). */
  erlangC: (servers: number, load: number): number => erlangC(servers, load),
  /**
   * erlangServers(load, maxWaitProbability, serviceRate, answerWithin, serviceLevel):
   * smallest server count meeting both targets; NaN when an input is unknown.
   */
  erlangServers: (load: number, maxWaitProbability: number, serviceRate: number, answerWithin: number, serviceLevel: number): number =>
    [load, maxWaitProbability, serviceRate, answerWithin, serviceLevel].some((x) => Number.isNaN(x))
      ? NaN
      : erlangServersFor(load, { maxWaitProbability, serviceRate, answerWithin, serviceLevel }),
};

const library = {
  where: elementwise(modelScalars.where),
  atLeast: elementwise(modelScalars.atLeast),
  atMost: elementwise(modelScalars.atMost),
  wholeInstances: elementwise(modelScalars.wholeInstances),
  erlangC: elementwise(modelScalars.erlangC),
  erlangServers: elementwise(modelScalars.erlangServers),
};

modelMath.import(library, { override: false });

// Runbook conditions compare names: "params.region == 'us-east-1'" must compare text, not
// try to read a number out of it. Merged into mathjs's own equal/unequal.
modelMath.import({
  equal: modelMath.typed('equal', { 'string, string': (a: string, b: string) => a === b }),
  unequal: modelMath.typed('unequal', { 'string, string': (a: string, b: string) => a !== b }),
});

/** Parsing and compiling stay available to lifeboat itself, captured before they are disabled below. */
export const parseExpression = modelMath.parse;
export const compileExpression = modelMath.compile;

// Expressions come from model files and runbooks: they compute, they do not reach out.
const disabled = (name: string) => () => {
  throw new Error(`function ${name} is disabled in lifeboat expressions`);
};
modelMath.import(
  Object.fromEntries(
    ['import', 'createUnit', 'evaluate', 'parse', 'simplify', 'derivative', 'resolve', 'reviver', 'replacer', 'compile', 'parser'].map(
      (n) => [n, disabled(n)],
    ),
  ),
  { override: true },
);
