import { LifeboatError } from '../errors';
import { compileExpression, modelMath, parseExpression } from '../models/model-math';

/**
 * Runbook expressions are mathjs over a documented scope: `params`, `steps.<id>.outputs`
 * (and `.state`), `fleet` and `readiness`. In inputs, `${...}` interpolates an expression:
 * a value that is exactly one `${...}` keeps its type (number, boolean, object).
 */
export type ExpressionScope = Record<string, unknown>;

const TEMPLATE = /\$\{([^}]+)\}/g;
const WHOLE = /^\s*\$\{([^}]+)\}\s*$/;

/** How a value reads inside text: lists of names as "a, b", other values as JSON. */
function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) return v.join(', ');
  return JSON.stringify(v);
}

function evaluateExpression(expression: string, scope: ExpressionScope, where: string): unknown {
  try {
    const value: unknown = compileExpression(expression).evaluate(new Map(Object.entries(scope)));
    return modelMath.isMatrix(value) ? (value as { toArray(): unknown }).toArray() : value;
  } catch (e) {
    throw new LifeboatError('LB_ERR_RUNBOOK_EXPRESSION', `${where}: "${expression}" cannot be evaluated: ${(e as Error).message}`, { where, expression });
  }
}

export function evaluateCondition(expression: string, scope: ExpressionScope, where: string): boolean {
  const value = evaluateExpression(expression, scope, where);
  if (typeof value !== 'boolean') {
    throw new LifeboatError('LB_ERR_RUNBOOK_EXPRESSION', `${where}: "${expression}" must be true or false, got ${JSON.stringify(value)}`, { where, expression });
  }
  return value;
}

/** The expressions inside a value's ${...} templates (in strings, arrays and objects): what resolveTemplates evaluates. */
export function templateExpressions(value: unknown): string[] {
  if (typeof value === 'string') return [...value.matchAll(TEMPLATE)].map((m) => m[1]!);
  if (Array.isArray(value)) return value.flatMap(templateExpressions);
  if (value && typeof value === 'object') return Object.values(value).flatMap(templateExpressions);
  return [];
}

/**
 * The scope names an expression reads: only top-level symbols, since that is all mathjs
 * looks up (`steps.readiness.outputs.ready` reads `steps`, not `readiness`). An expression
 * that does not parse reads nothing: evaluating it fails the same way with any scope.
 */
export function scopeNamesRead(expression: string): Set<string> {
  const names = new Set<string>();
  try {
    parseExpression(expression).traverse((node) => {
      if (modelMath.isSymbolNode(node)) names.add(node.name);
    });
  } catch {
    // Unparseable: evaluating it fails the same way whatever the scope holds.
  }
  return names;
}

/** Resolve ${...} references in a value (strings, and strings inside arrays and objects). */
export function resolveTemplates(value: unknown, scope: ExpressionScope, where: string): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) return evaluateExpression(whole[1]!, scope, where);
    return value.replace(TEMPLATE, (_, expr: string) => asText(evaluateExpression(expr, scope, where)));
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveTemplates(v, scope, `${where}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveTemplates(v, scope, `${where}.${k}`)]));
  }
  return value;
}
