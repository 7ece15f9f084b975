import type { MathNode } from 'mathjs';
import { modelMath, modelScalars } from './model-math';

// mathjs compares and rounds numbers with these tolerances; so must the fast path.
const { relTol = 1e-12, absTol = 1e-15 } = modelMath.config({});

/** mathjs's nearlyEqual for numbers. */
function nearlyEqual(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  if (a === b) return true;
  return Math.abs(a - b) <= Math.max(relTol * Math.max(Math.abs(a), Math.abs(b)), absTol);
}

/** mathjs's round for numbers: half away from zero. */
function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** mathjs's ceil and floor: an integer within the tolerance is taken as that integer. */
function tolerantCeil(x: number): number {
  const c = Math.ceil(x);
  const r = roundHalfAway(x);
  if (c === r) return c;
  return nearlyEqual(x, r) && !nearlyEqual(x, c) ? r : c;
}

function tolerantFloor(x: number): number {
  const f = Math.floor(x);
  const r = roundHalfAway(x);
  if (f === r) return f;
  return nearlyEqual(x, r) && !nearlyEqual(x, f) ? r : f;
}

/**
 * A fast path for model expressions. mathjs dispatches every operator through typed
 * functions and wraps vectors in matrices: right, but slow for five-region vectors evaluated
 * thousands of times in one plan. This compiles the subset models use (arithmetic,
 * element-wise operators, comparisons, and the model functions) into plain closures over
 * arrays, with mathjs's semantics. Anything outside the subset compiles to undefined, and a
 * case it cannot decide at run time (a matrix product of two vectors) throws Fallback: the
 * caller then evaluates with mathjs. test/unit/vector-compiler.test.ts checks both agree.
 */
export class Fallback extends Error {}

type Value = number | boolean | string | Value[] | undefined;
type Compiled = (scope: ReadonlyMap<string, unknown>) => Value;
export type VectorExpression = Compiled;

const isArray = Array.isArray as (v: unknown) => v is Value[];

function num(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new Fallback(`not a number: ${typeof v}`);
}

/** Element-wise over arrays, broadcasting scalars, like mathjs's dot operators. */
function map2(a: Value, b: Value, f: (x: number, y: number) => Value): Value {
  if (isArray(a)) {
    if (isArray(b)) {
      if (a.length !== b.length) throw new Fallback('length mismatch');
      const out = new Array<Value>(a.length);
      for (let i = 0; i < a.length; i++) out[i] = map2(a[i], b[i], f);
      return out;
    }
    const out = new Array<Value>(a.length);
    for (let i = 0; i < a.length; i++) out[i] = map2(a[i], b, f);
    return out;
  }
  if (isArray(b)) {
    const out = new Array<Value>(b.length);
    for (let i = 0; i < b.length; i++) out[i] = map2(a, b[i], f);
    return out;
  }
  return f(num(a), num(b));
}

/** The number a scalar-only function is given; a vector is mathjs's to refuse. */
function scalarArgument(a: Value): number {
  if (isArray(a)) throw new Fallback('not element-wise in mathjs');
  return num(a);
}

function map1(a: Value, f: (x: number) => Value): Value {
  if (isArray(a)) {
    const out = new Array<Value>(a.length);
    for (let i = 0; i < a.length; i++) out[i] = map1(a[i], f);
    return out;
  }
  return f(num(a));
}

function mapN(args: Value[], f: (...xs: number[]) => Value): Value {
  const length = args.find(isArray)?.length;
  if (length === undefined) return f(...args.map(num));
  const out = new Array<Value>(length);
  for (let i = 0; i < length; i++) {
    out[i] = mapN(
      args.map((a) => {
        if (!isArray(a)) return a;
        if (a.length !== length) throw new Fallback('length mismatch');
        return a[i];
      }),
      f,
    );
  }
  return out;
}

/**
 * `*` is element-wise only when a side is a scalar; vector by vector is a matrix product in mathjs.
 * `/` is element-wise only for a scalar divisor: mathjs reads `a / v` as a × inv(v).
 */
function scalarOnly(a: Value, b: Value, f: (x: number, y: number) => Value): Value {
  if (isArray(a) && isArray(b)) throw new Fallback('matrix product');
  return map2(a, b, f);
}

const OPERATORS: Record<string, (a: Value, b: Value) => Value> = {
  add: (a, b) => map2(a, b, (x, y) => x + y),
  subtract: (a, b) => map2(a, b, (x, y) => x - y),
  multiply: (a, b) => scalarOnly(a, b, (x, y) => x * y),
  divide: (a, b) => {
    if (isArray(b)) throw new Fallback('matrix inverse');
    return map2(a, b, (x, y) => x / y);
  },
  dotMultiply: (a, b) => map2(a, b, (x, y) => x * y),
  dotDivide: (a, b) => map2(a, b, (x, y) => x / y),
  dotPow: (a, b) => map2(a, b, (x, y) => x ** y),
  pow: (a, b) => {
    if (isArray(a) || isArray(b)) throw new Fallback('matrix power');
    return num(a) ** num(b);
  },
  larger: (a, b) => map2(a, b, (x, y) => x > y && !nearlyEqual(x, y)),
  largerEq: (a, b) => map2(a, b, (x, y) => x > y || nearlyEqual(x, y)),
  smaller: (a, b) => map2(a, b, (x, y) => x < y && !nearlyEqual(x, y)),
  smallerEq: (a, b) => map2(a, b, (x, y) => x < y || nearlyEqual(x, y)),
  equal: (a, b) => (typeof a === 'string' && typeof b === 'string' ? a === b : map2(a, b, nearlyEqual)),
  unequal: (a, b) => (typeof a === 'string' && typeof b === 'string' ? a !== b : map2(a, b, (x, y) => !nearlyEqual(x, y))),
  and: (a, b) => map2(a, b, (x, y) => !!(x && y)),
  or: (a, b) => map2(a, b, (x, y) => !!(x || y)),
};

const UNARY: Record<string, (a: Value) => Value> = {
  unaryMinus: (a) => map1(a, (x) => -x),
  unaryPlus: (a) => map1(a, (x) => x),
  not: (a) => map1(a, (x) => !x),
};

const FUNCTIONS: Record<string, (...args: Value[]) => Value> = {
  ceil: (a) => map1(a, tolerantCeil),
  floor: (a) => map1(a, tolerantFloor),
  abs: (a) => map1(a, Math.abs),
  // mathjs takes sqrt and exp of numbers only (not of a vector), and a negative number's root is complex.
  sqrt: (a) => {
    const x = scalarArgument(a);
    if (x < 0) throw new Fallback('complex root');
    return Math.sqrt(x);
  },
  exp: (a) => Math.exp(scalarArgument(a)),
  sum: (...args) => {
    if (args.length !== 1) throw new Fallback('sum arity');
    const a = args[0];
    if (!isArray(a)) return num(a);
    let total = 0;
    for (const x of a) {
      if (isArray(x)) throw new Fallback('nested sum');
      total += num(x);
    }
    return total;
  },
  where: (cond, a, b) => mapN([cond, a, b], modelScalars.where),
  atLeast: (a, b) => map2(a, b, modelScalars.atLeast),
  atMost: (a, b) => map2(a, b, modelScalars.atMost),
  wholeInstances: (a) => map1(a, modelScalars.wholeInstances),
  erlangC: (servers, load) => map2(servers, load, modelScalars.erlangC),
  erlangServers: (...args) => mapN(args, modelScalars.erlangServers),
};

type Node = Record<string, unknown> & { type: string };

/**
 * A closure evaluating the expression, or undefined when it uses something outside the
 * subset. One compiler per kind of node below; the closures they return compose.
 *
 * Worked example: "ceil(demand * targetShare ./ capacityPerInstance)" is a FunctionNode
 * over OperatorNodes over SymbolNodes; with demand 1000, targetShare [0.5, 0.5] and
 * capacityPerInstance [100, 200] its closure gives [5, 3] (2.5 rounds up to 3).
 */
export function compileVector(node: MathNode): Compiled | undefined {
  const n = node as unknown as Node;
  switch (n.type) {
    case 'ConstantNode':
      return compileConstant(n);
    case 'SymbolNode':
      return compileSymbol(n);
    case 'ParenthesisNode':
      return compileVector(n.content as MathNode);
    case 'ArrayNode':
      return compileArray(n);
    case 'OperatorNode':
      return compileOperator(n);
    case 'FunctionNode':
      return compileFunctionCall(n);
    case 'ConditionalNode':
      return compileConditional(n);
    default:
      return undefined;
  }
}

/** Numbers, booleans and strings; anything else (a unit, a complex number) is mathjs's. */
function compileConstant(n: Node): Compiled | undefined {
  const value = n.value as Value;
  if (typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'string') return undefined;
  return () => value;
}

/** The constants mathjs knows by name; any other symbol is looked up in the scope when evaluated. */
function compileSymbol(n: Node): Compiled {
  const name = n.name as string;
  if (name === 'true' || name === 'false') return () => name === 'true';
  if (name === 'NaN') return () => NaN;
  if (name === 'Infinity') return () => Infinity;
  return (scope) => {
    if (!scope.has(name)) throw new Fallback(`unknown symbol ${name}`);
    return scope.get(name) as Value;
  };
}

/** A vector literal such as [1, share, 3]; a literal with vectors in it is a matrix, mathjs's to build. */
function compileArray(n: Node): Compiled | undefined {
  const items = (n.items as MathNode[]).map(compileVector);
  if (items.some((i) => !i)) return undefined;
  return (scope) =>
    (items as Compiled[]).map((item) => {
      const v = item(scope);
      if (isArray(v)) throw new Fallback('matrix literal');
      return v;
    });
}

/** Unary and binary operators of the subset (UNARY, OPERATORS). */
function compileOperator(n: Node): Compiled | undefined {
  const args = (n.args as MathNode[]).map(compileVector);
  if (args.some((a) => !a)) return undefined;
  const fn = n.fn as string;
  if (args.length === 1 && UNARY[fn]) {
    const [a] = args as [Compiled];
    const op = UNARY[fn];
    return (scope) => op(a(scope));
  }
  if (args.length === 2 && OPERATORS[fn]) {
    const [a, b] = args as [Compiled, Compiled];
    const op = OPERATORS[fn];
    return (scope) => op(a(scope), b(scope));
  }
  return undefined;
}

/** A call of one of FUNCTIONS by name; ceil and floor only with one argument (mathjs's second one rounds to decimals). */
function compileFunctionCall(n: Node): Compiled | undefined {
  const fnNode = n.fn as Node;
  if (fnNode.type !== 'SymbolNode') return undefined;
  const impl = FUNCTIONS[fnNode.name as string];
  const args = (n.args as MathNode[]).map(compileVector);
  if (!impl || args.some((a) => !a)) return undefined;
  if ((fnNode.name === 'ceil' || fnNode.name === 'floor') && args.length !== 1) return undefined;
  return (scope) => impl(...(args as Compiled[]).map((a) => a(scope)));
}

/** cond ? yes : no with a scalar condition; a vector condition is mathjs's to answer. */
function compileConditional(n: Node): Compiled | undefined {
  const [cond, yes, no] = [n.condition, n.trueExpr, n.falseExpr].map((x) => compileVector(x as MathNode));
  if (!cond || !yes || !no) return undefined;
  return (scope) => {
    const c = cond(scope);
    if (isArray(c)) throw new Fallback('vector condition');
    return num(c) !== 0 ? yes(scope) : no(scope);
  };
}
