import { describe, expect, it } from 'vitest';
import { LifeboatError } from '../../src/core/errors';
import { evaluateCondition, resolveTemplates, scopeNamesRead, templateExpressions } from '../../src/core/runbooks/expressions';

const scope = { params: { region: 'us-east-1', stages: 3, regions: ['us-east-1', 'eu-west-1'] }, steps: { plan: { outputs: { blocked: false, target: { web: 4 } } } } };

function errorOf(run: () => unknown): LifeboatError {
  try {
    run();
  } catch (e) {
    return e as LifeboatError;
  }
  throw new Error('did not throw');
}

describe('resolving ${...} in a step’s inputs', () => {
  it('keeps the type of a value that is one ${...}, spaces around it included', () => {
    expect(resolveTemplates('  ${params.stages}  ', scope, 'x')).toBe(3);
    expect(resolveTemplates('${steps.plan.outputs.blocked}', scope, 'x')).toBe(false);
    expect(resolveTemplates('${steps.plan.outputs.target}', scope, 'x')).toEqual({ web: 4 });
  });

  it('gives a list for a matrix, whole or in text', () => {
    expect(resolveTemplates('${[1, 2] * 2}', scope, 'x')).toEqual([2, 4]);
    expect(resolveTemplates('sizes ${[1, 2] * 2}', scope, 'x')).toBe('sizes 2, 4');
  });

  it('writes values into text: a list of names as "a, b", other values as JSON, text as it is', () => {
    expect(resolveTemplates('from ${params.regions} in ${params.stages} stages', scope, 'x')).toBe('from us-east-1, eu-west-1 in 3 stages');
    expect(resolveTemplates('target ${steps.plan.outputs.target}, blocked ${steps.plan.outputs.blocked}', scope, 'x')).toBe('target {"web":4}, blocked false');
    expect(resolveTemplates('${params.region}!', scope, 'x')).toBe('us-east-1!');
    expect(resolveTemplates('list ${[[1, 2]]}', scope, 'x')).toBe('list [[1,2]]');
  });

  it('leaves text without templates, numbers, booleans and null as they are', () => {
    expect(resolveTemplates('no template $here {x}', scope, 'x')).toBe('no template $here {x}');
    expect(resolveTemplates(5, scope, 'x')).toBe(5);
    expect(resolveTemplates(true, scope, 'x')).toBe(true);
    expect(resolveTemplates(null, scope, 'x')).toBeNull();
  });

  it('resolves inside lists and objects, naming the place of a failure by index and key', () => {
    expect(resolveTemplates({ a: ['${params.stages + 1}', 'x'], b: { c: '${params.region}' } }, scope, 'inputs')).toEqual({ a: [4, 'x'], b: { c: 'us-east-1' } });
    expect(errorOf(() => resolveTemplates({ a: ['ok', '${nothing.here}'] }, scope, 'inputs')).message).toMatch(/^inputs\.a\[1\]: "nothing.here" cannot be evaluated: /);
  });

  it('fails with the runbook expression error, the place and the expression', () => {
    const e = errorOf(() => resolveTemplates('see ${params.region + }', scope, 'step.inputs.text'));
    expect(e).toBeInstanceOf(LifeboatError);
    expect(e.code).toBe('LB_ERR_RUNBOOK_EXPRESSION');
    expect(e.message).toMatch(/^step\.inputs\.text: "params\.region \+ " cannot be evaluated: \S/);
    expect(e.details).toEqual({ where: 'step.inputs.text', expression: 'params.region + ' });
  });
});

describe('a step’s when condition', () => {
  it('is the expression’s truth', () => {
    expect(evaluateCondition('params.stages > 2', scope, 'when')).toBe(true);
    expect(evaluateCondition('steps.plan.outputs.blocked', scope, 'when')).toBe(false);
  });

  it('must be true or false, and says what it was', () => {
    const e = errorOf(() => evaluateCondition('params.stages + 1', scope, 'steps.2.when'));
    expect(e.code).toBe('LB_ERR_RUNBOOK_EXPRESSION');
    expect(e.message).toBe('steps.2.when: "params.stages + 1" must be true or false, got 4');
    expect(e.details).toEqual({ where: 'steps.2.when', expression: 'params.stages + 1' });
  });

  it('fails when it cannot be evaluated', () => {
    expect(() => evaluateCondition('params.nothing.deeper', scope, 'when')).toThrow(/^when: "params.nothing.deeper" cannot be evaluated/);
  });
});

describe('what a value’s templates read', () => {
  it('lists the expressions of every ${...} in strings, lists and objects', () => {
    expect(templateExpressions({ a: 'x ${one} y ${two}', b: ['${three}', 4, null], c: { d: '${four}' } })).toEqual(['one', 'two', 'three', 'four']);
  });

  it('finds none in a value without templates', () => {
    expect(templateExpressions(7)).toEqual([]);
    expect(templateExpressions(null)).toEqual([]);
    expect(templateExpressions('plain')).toEqual([]);
  });

  it('reads the top-level names of an expression only', () => {
    expect([...scopeNamesRead('fleet.regionShare[params.region] == 0 and readiness.ready')].sort()).toEqual(['fleet', 'params', 'readiness']);
  });

  it('reads nothing from an expression that does not parse', () => {
    expect(scopeNamesRead('fleet.ready +')).toEqual(new Set());
  });
});

describe('lists in text', () => {
  it('writes a list holding an object as JSON', () => {
    const mixed = { params: { mixed: ['a', { b: 1 }] } };
    expect(resolveTemplates('got ${params.mixed}', mixed, 'x')).toBe('got ["a",{"b":1}]');
  });
});
