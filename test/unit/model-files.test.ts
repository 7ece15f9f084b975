import { describe, expect, it } from 'vitest';
import { thrownLifeboatError } from '../support/thrown';
import { loadModels } from '../../src/app/loaders/load-models';
import type { CapacityModel } from '../../src/core/models/capacity-model';
import { checkFallbacks, compileModel } from '../../src/core/models/capacity-model';

const thrown = thrownLifeboatError;

/** A model file named demo with these expressions (and optionally parameters), each a YAML line. */
const file = (expressions: Record<string, string>, parameters = '', name = 'demo') =>
  `name: ${name}\ndescription: d\n${parameters ? `parameters:\n${parameters}` : ''}expressions:\n${Object.entries(expressions)
    .map(([k, v]) => `  ${k}: "${v}"\n`)
    .join('')}`;
const compile = (expressions: Record<string, string>, parameters = '') => compileModel('models/demo.yaml', file(expressions, parameters));
const invalid = (expressions: Record<string, string>, parameters = '') => thrown(() => compile(expressions, parameters));

describe('what a model reads, as the planner is told', () => {
  const models = loadModels();

  it('lists the fleet inputs each shipped model reads, in input order, through its own expressions and without servable', () => {
    // Read off models/*.yaml:
    // proportional: perShare reads current, share; basis reads share, current; required adds targetShare.
    //   servable reads instances, which only it may: not listed.
    // throughput: required reads targetShare, capacityPerInstance (servable's instances not listed).
    // erlang-c: erlangs reads targetShare, capacityPerInstance; required reads them again through erlangs.
    // measured: perInstance reads targetUtilization, loadCapacity; total reads load; required reads
    //   total and perInstance (so those three) and targetShare.
    expect(models.get('proportional')!.inputsUsed).toEqual(['current', 'share', 'targetShare']);
    expect(models.get('throughput')!.inputsUsed).toEqual(['targetShare', 'capacityPerInstance']);
    expect(models.get('erlang-c')!.inputsUsed).toEqual(['targetShare', 'capacityPerInstance']);
    expect(models.get('measured')!.inputsUsed).toEqual(['targetShare', 'load', 'targetUtilization', 'loadCapacity']);
  });

  it('says which models read measured load, and which answer servable themselves', () => {
    expect([...models.values()].filter((m) => m.readsLoad).map((m) => m.name)).toEqual(['measured']);
    expect([...models.values()].filter((m) => m.hasServable).map((m) => m.name).sort()).toEqual(['measured', 'proportional', 'throughput']);
  });

  it('keeps the fallback a model names, and gives none to a model that names none', () => {
    expect(models.get('measured')!.fallback).toBe('proportional');
    expect(Object.hasOwn(models.get('proportional')!, 'fallback')).toBe(false);
  });

  it('keeps the description without the line break a folded YAML block ends with', () => {
    const m = compileModel('models/demo.yaml', 'name: demo\ndescription: >\n  Two words.\nexpressions:\n  required: "current"\n');
    expect(m.description).toBe('Two words.');
  });

  it('counts what an expression reads through an earlier one, and not what a later one reads', () => {
    const m = compile({ a: 'current .* 2', required: 'a + minSize', b: 'maxSize' });
    const deps = (name: string) => [...m.compiled.find((c) => c.name === name)!.dependsOn].sort();
    expect(deps('a')).toEqual(['current']);
    expect(deps('required')).toEqual(['a', 'current', 'minSize']);
    expect(deps('b')).toEqual(['maxSize']);
    expect(m.inputsUsed).toEqual(['current', 'minSize', 'maxSize']);
  });

  it('reads only a symbol the expression does not define itself', () => {
    // x is assigned in the expression, f and y are a local function and its parameter: none is an input.
    expect(compile({ required: 'x = current .* 2' }).inputsUsed).toEqual(['current']);
    expect(compile({ required: 'map(current, f(y) = y * 2)' }).inputsUsed).toEqual(['current']);
  });

  it('accepts the named constants mathjs knows, and reads nothing for them', () => {
    expect(compile({ required: 'current * pi / pi + e - e' }).inputsUsed).toEqual(['current']);
  });
});

describe('model files that are wrong, each refused naming the file and the field', () => {
  it('refuses a model that falls back to itself', () => {
    const err = thrown(() => compileModel('models/demo.yaml', `fallback: demo\n${file({ required: 'current' })}`));
    expect(err).toMatchObject({ code: 'LB_ERR_MODEL_INVALID', message: 'models/demo.yaml: fallback: a model cannot fall back to itself', details: { file: 'models/demo.yaml', field: 'fallback' } });
  });

  it('reports a YAML error by its line, on one line', () => {
    const err = thrown(() => compileModel('models/demo.yaml', 'name: demo\ndescription: "d\nexpressions:\n'));
    expect(err.message).toMatch(/^models\/demo\.yaml: line 4: Missing closing "quote at line 4, column 1:$/);
  });

  it('accepts a .yml file named like its model, and refuses a name that matches only the start of the file name', () => {
    expect(compileModel('models/demo.yml', file({ required: 'current' })).name).toBe('demo');
    expect(compileModel('demo.yaml', file({ required: 'current' })).name).toBe('demo');
    // The file is demo.yamlx, so its model is "demo.yamlx" (not a valid name), never "demox".
    expect(thrown(() => compileModel('models/demo.yamlx', file({ required: 'current' }, '', 'demox'))).message).toMatch(/name: "demox" must match the file name "demo.yamlx"/);
  });

  it.each([
    ['an upper-case letter first', 'Xdemo'],
    ['a digit first', '1demo'],
    ['an underscore at the end', 'demo_'],
  ])('refuses a model name with %s', (_what, name) => {
    expect(thrown(() => compileModel(`models/${name}.yaml`, file({ required: 'current' }, '', name))).message).toMatch(/: name: lower-case letters, digits and dashes, starting with a letter$/);
  });

  it('accepts a model name of letters, digits and dashes', () => {
    expect(compileModel('models/a-2b.yaml', file({ required: 'current' }, '', 'a-2b')).name).toBe('a-2b');
  });

  it.each([
    ['an upper-case letter first', 'Proportional'],
    ['a dot in it', 'proportional.v2'],
    ['a digit first', '2proportional'],
  ])('refuses a fallback with %s', (_what, fallback) => {
    expect(thrown(() => compileModel('models/demo.yaml', `fallback: ${fallback}\n${file({ required: 'current' })}`)).message).toMatch(/: fallback: a model name$/);
  });

  it.each([
    ['a parameter name that starts with a digit', file({ required: 'current' }, '  2x: {description: h, unit: u}\n'), /parameters\.2x: a parameter name is a mathjs symbol: letters and digits$/],
    ['a parameter name with a dash', file({ required: 'current' }, '  x-y: {description: h, unit: u}\n'), /parameters\.x-y: a parameter name is a mathjs symbol: letters and digits$/],
    ['an expression name that starts with a digit', file({ required: 'current', '2x': 'current' }), /expressions\.2x: an expression name is a mathjs symbol: letters and digits$/],
    ['an expression name with a dash', file({ required: 'current', 'x-y': 'current' }), /expressions\.x-y: an expression name is a mathjs symbol: letters and digits$/],
    ['an empty expression', file({ required: '' }), /expressions\.required:/],
    ['an empty description', file({ required: 'current' }).replace('description: d', 'description: ""'), /: description:/],
    ['a parameter without a description', file({ required: 'current' }, '  h: {description: "", unit: u}\n'), /parameters\.h\.description:/],
    ['a parameter with an unknown field', file({ required: 'current' }, '  h: {description: h, unit: u, step: 1}\n'), /parameters\.h: Unrecognized key/],
  ])('refuses %s, saying what is wrong with it', (_what, text, message) => {
    expect(thrown(() => compileModel('models/demo.yaml', text)).message).toMatch(message);
  });

  it('accepts parameter and expression names of letters and digits, upper case first too', () => {
    const m = compile({ Ab2: 'current .* H2', required: 'Ab2' }, '  H2: {description: h, unit: u, default: 1}\n');
    expect(m.compiled.map((c) => c.name)).toEqual(['Ab2', 'required']);
    expect(Object.keys(m.parameters)).toEqual(['H2']);
  });

  it('refuses a parameter named like a fleet input', () => {
    expect(invalid({ required: 'current' }, '  share: {description: h, unit: u}\n').message).toBe('models/demo.yaml: parameters.share: "share" is a fleet input; choose another name');
  });

  it('refuses a parameter whose bounds are crossed, but accepts equal bounds and a default on either', () => {
    expect(invalid({ required: 'current' }, '  h: {description: h, unit: u, min: 2, max: 1}\n').message).toBe('models/demo.yaml: parameters.h: min 2 is above max 1');
    expect(compile({ required: 'current' }, '  h: {description: h, unit: u, default: 1, min: 1, max: 1}\n').parameters.h).toEqual({ description: 'h', unit: 'u', default: 1, min: 1, max: 1 });
  });

  it('refuses a default below min, naming the default', () => {
    const err = invalid({ required: 'current' }, '  h: {description: h, unit: u, default: 0, min: 1}\n');
    expect(err).toMatchObject({ message: 'models/demo.yaml: parameters.h.default: 0 is below min 1', details: { field: 'parameters.h.default' } });
  });

  it('accepts a default with only a min or only a max, on the allowed side', () => {
    expect(compile({ required: 'current' }, '  h: {description: h, unit: u, default: 5, min: 1}\n').parameters.h!.default).toBe(5);
    expect(compile({ required: 'current' }, '  h: {description: h, unit: u, default: 0, max: 1}\n').parameters.h!.default).toBe(0);
  });

  it('refuses an expression named like a fleet input or a parameter', () => {
    expect(invalid({ share: 'current', required: 'share' }).message).toBe('models/demo.yaml: expressions.share: "share" is already an input or a parameter');
    expect(invalid({ h: 'current', required: 'h' }, '  h: {description: h, unit: u}\n').message).toBe('models/demo.yaml: expressions.h: "h" is already an input or a parameter');
  });

  it('refuses an expression that reads one defined below it, and lists what it could read', () => {
    const err = invalid({ required: 'later', later: 'current' }, '  h: {description: h, unit: u}\n');
    expect(err.message).toBe(
      'models/demo.yaml: expressions.required: unknown symbol "later" (inputs: current, inService, minSize, maxSize, share, targetShare, capacityPerInstance, load, loadPerInstance, targetUtilization, loadCapacity, instances; parameters: h; earlier expressions: none)',
    );
    expect(invalid({ a: 'current', required: 'nope' }).message).toMatch(/unknown symbol "nope" \(inputs: [a-zA-Z, ]+; parameters: none; earlier expressions: a\)$/);
  });

  it('refuses an unknown symbol passed straight to a function', () => {
    expect(invalid({ required: 'wholeInstances(bogus)' }).message).toMatch(/expressions\.required: unknown symbol "bogus"/);
  });

  it('accepts a function the expression defines itself, and refuses an unknown one even where a symbol of that name exists', () => {
    expect(compile({ required: 'twice(x) = x * 2; twice(current)' }).compiled).toHaveLength(1);
    expect(invalid({ required: 'current(1)' }).message).toBe('models/demo.yaml: expressions.required: unknown function "current"');
  });

  it('lets only servable read instances, and servable read neither targetShare nor required', () => {
    expect(invalid({ required: 'current', other: 'instances' }).message).toBe('models/demo.yaml: expressions.other: only `servable` may use `instances`');
    expect(invalid({ spare: 'instances', required: 'current', servable: 'spare' }).message).toBe('models/demo.yaml: expressions.spare: only `servable` may use `instances`');
    expect(invalid({ required: 'current', servable: 'instances ./ targetShare' }).message).toBe(
      'models/demo.yaml: expressions.servable: `servable` answers for given `instances`; it cannot use targetShare or required',
    );
    expect(invalid({ required: 'current', servable: 'instances ./ required' }).message).toMatch(/expressions\.servable: `servable` answers for given `instances`/);
    expect(invalid({ required: 'instances' }).message).toBe('models/demo.yaml: expressions.required: `required` cannot use `instances`; it computes them');
    expect(compile({ required: 'current', servable: 'instances ./ current' }).hasServable).toBe(true);
  });
});

describe('fallbacks across the catalog', () => {
  const model = (name: string, fallback?: string): CapacityModel =>
    compileModel(`models/${name}.yaml`, `${fallback ? `fallback: ${fallback}\n` : ''}${file({ required: 'current' }, '', name)}`);
  const catalog = (...models: CapacityModel[]) => new Map(models.map((m) => [m.name, m]));

  it('accepts a chain of fallbacks that ends', () => {
    expect(() => checkFallbacks(catalog(model('a', 'b'), model('b', 'c'), model('c')))).not.toThrow();
  });

  it('refuses a fallback to a model the catalog does not have, listing those it has', () => {
    const err = thrown(() => checkFallbacks(catalog(model('a', 'b'), model('b', 'zz'))));
    expect(err).toMatchObject({ code: 'LB_ERR_MODEL_INVALID', message: 'models/b.yaml: fallback: no model named "zz" (have: a, b)', details: { file: 'models/b.yaml', field: 'fallback' } });
  });

  it('refuses fallbacks that come back to where they started, naming the model it started from', () => {
    const err = thrown(() => checkFallbacks(catalog(model('a', 'b'), model('b', 'c'), model('c', 'a'))));
    expect(err.message).toBe('models/a.yaml: fallback: falling back from a comes back to a');
  });

  it('refuses a chain that runs into a loop further on', () => {
    // a → b → c → b: from a, b is seen again after c.
    const err = thrown(() => checkFallbacks(catalog(model('a', 'b'), model('b', 'c'), model('c', 'b'))));
    expect(err.message).toBe('models/a.yaml: fallback: falling back from a comes back to b');
  });
});
