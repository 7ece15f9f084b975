import { describe, expect, it } from 'vitest';
import type { LifeboatError } from '../../src/core/errors';
import { parseRunbook, parseRunbookFile } from '../../src/core/runbooks/parse-runbook';
import { parameterValueType } from '../../src/core/runbooks/runbook-schema';

/** A runbook, one line per array entry, so a problem’s line is the entry’s index + 1. */
const lines = (...l: string[]) => `${l.join('\n')}\n`;
const HEAD = ['name: demo', 'description: d'];
const STEPS = ['steps:', '  - id: first', '    action: wait', '  - id: second', '    action: notify'];

function problem(text: string, file = 'runbooks/demo.yaml'): LifeboatError {
  try {
    parseRunbook(file, text);
  } catch (e) {
    return e as LifeboatError;
  }
  throw new Error('accepted');
}

describe('a runbook’s file name', () => {
  const text = lines(...HEAD, ...STEPS);

  it.each([['runbooks/demo.yaml'], ['runbooks/demo.yml'], ['demo.yaml'], ['C:\\lifeboat\\runbooks\\demo.yaml']])('accepts runbook demo in %s', (file) => {
    expect(parseRunbookFile(file, text).name).toBe('demo');
  });

  it.each([
    ['runbooks/demo.yaml.bak', 'demo.yaml.bak'],
    ['runbooks/demo.json', 'demo.json'],
    ['demo/other.yaml', 'other'],
  ])('refuses runbook demo in %s', (file, base) => {
    expect(() => parseRunbookFile(file, text)).toThrow(`${file}:1: name: "demo" must match the file name "${base}"`);
  });

  it('says the line of the name when it is not first', () => {
    expect(() => parseRunbookFile('runbooks/other.yaml', lines('description: d', 'name: demo', ...STEPS))).toThrow('runbooks/other.yaml:2: name:');
  });
});

describe('where a schema problem is', () => {
  it('names the top level, without a line, for a document that is not a map', () => {
    const e = problem('');
    expect(e.code).toBe('LB_ERR_RUNBOOK_INVALID');
    expect(e.message).toMatch(/^runbooks\/demo\.yaml: \(top level\): \S/);
    expect(e.details).toMatchObject({ file: 'runbooks/demo.yaml', field: '(top level)' });
  });

  it('gives the line and field of an unknown field at the top level', () => {
    const e = problem(lines(...HEAD, 'colour: blue', ...STEPS));
    expect(e.message).toBe('runbooks/demo.yaml:3: colour: unknown field');
    expect(e.details).toEqual({ file: 'runbooks/demo.yaml', line: 3, field: 'colour', reason: 'unknown field' });
  });

  it('gives the step’s line for a field it lacks', () => {
    const e = problem(lines(...HEAD, 'steps:', '  - id: first', '    action: wait', '  - action: notify'));
    expect(e.message).toMatch(/^runbooks\/demo\.yaml:6: steps\.1\.id: \S/);
    // The schema’s own words, not the unknown-action hint.
    expect(e.message).not.toContain('use one of');
  });

  it('gives the line of a value inside a list inside a step', () => {
    const e = problem(lines(...HEAD, 'steps:', '  - id: first', '    action: wait', '    retries:', '      count: 99'));
    expect(e.message).toMatch(/^runbooks\/demo\.yaml:7: steps\.0\.retries\.count: /);
  });

  it('lists the actions for an unknown one', () => {
    expect(problem(lines(...HEAD, 'steps:', '  - id: first', '    action: explode')).message).toBe(
      'runbooks/demo.yaml:5: steps.0.action: unknown action; use one of plan, evacuate, shift, restore, scale, prepare-dark-capacity, release-dark-capacity, wait, assert, approve, notify, readiness, runbook',
    );
  });

  it('gives the first line of a YAML syntax error', () => {
    const e = problem(lines(...HEAD, 'steps:', '  - id: [first', '    action: wait'));
    expect(e.message).toMatch(/^runbooks\/demo\.yaml:\d+: yaml: [^\n]+$/);
    expect(e.details).toMatchObject({ field: 'yaml' });
  });
});

describe('a parameter’s default', () => {
  const withParam = (...p: string[]) => lines(...HEAD, 'parameters:', '  region:', ...p.map((x) => `    ${x}`), ...STEPS);

  it('reads a region parameter as a string', () => {
    expect(parameterValueType('region')).toBe('string');
    expect(parameterValueType('number')).toBe('number');
    expect(parseRunbook('runbooks/demo.yaml', withParam('type: region', 'default: us-east-1')).parameters.region).toEqual({ type: 'region', default: 'us-east-1' });
  });

  it.each([
    ['region', '5', 'string'],
    ['boolean', 'yes', 'boolean'],
    ['string', 'true', 'string'],
  ])('must be of the parameter’s type: a %s parameter with default %s', (type, value, expected) => {
    expect(problem(withParam(`type: ${type}`, `default: ${value}`)).message).toBe(`runbooks/demo.yaml:6: parameters.region.default: default must be a ${expected}`);
  });

  it('must be one of the allowed values when they are given', () => {
    expect(problem(withParam('type: string', 'allowed: [a, b]', 'default: c')).message).toBe('runbooks/demo.yaml:7: parameters.region.default: default must be one of a, b');
    expect(parseRunbook('runbooks/demo.yaml', withParam('type: string', 'allowed: [a, b]', 'default: b')).parameters.region!.default).toBe('b');
    expect(parseRunbook('runbooks/demo.yaml', withParam('type: string', 'allowed: [a, b]')).parameters.region!.allowed).toEqual(['a', 'b']);
  });
});

describe('references between steps, parameters and outputs', () => {
  const params = ['parameters:', '  region: { type: string }', '  stages: { type: number }'];

  it('accepts references to parameters, earlier steps and the step itself, in when and in text inputs', () => {
    const text = lines(
      ...HEAD,
      ...params,
      'steps:',
      '  - id: first',
      '    action: wait',
      '    when: params.stages > 1',
      '  - id: second',
      '    action: notify',
      '    when: steps.first.state == "succeeded"',
      '    inputs: { message: "${params.region} ${steps.second.attempt}", count: 3 }',
      'outputs:',
      '  done: "${steps.second.state} in ${params.region}"',
    );
    expect(parseRunbook('runbooks/demo.yaml', text).outputs).toEqual({ done: '${steps.second.state} in ${params.region}' });
  });

  it('does not read a word that only ends in params or steps as a reference', () => {
    const text = lines(...HEAD, 'steps:', '  - id: first', '    action: notify', '    inputs: { message: "myparams.zone and footsteps.later" }');
    expect(parseRunbook('runbooks/demo.yaml', text).steps[0]!.inputs).toEqual({ message: 'myparams.zone and footsteps.later' });
  });

  it.each([
    ['an unknown parameter in a condition, listing those declared', ['  - id: first', '    action: wait', '    when: params.zone == 1'], 'runbooks/demo.yaml:9: steps.0.when: unknown parameter "zone" (declared: region, stages)'],
    ['an unknown step', ['  - id: first', '    action: wait', '    when: steps.nowhere.state == "x"'], 'runbooks/demo.yaml:9: steps.0.when: unknown step "nowhere"'],
    [
      'a later step',
      ['  - id: first', '    action: wait', '    inputs:', '      seconds: "${steps.later_1.outputs.x}"', '  - id: later_1', '    action: wait'],
      'runbooks/demo.yaml:10: steps.0.inputs.seconds: step "later_1" runs later; only earlier steps\' outputs can be used',
    ],
  ])('refuses %s', (_what, steps, message) => {
    expect(problem(lines(...HEAD, ...params, 'steps:', ...steps)).message).toBe(message);
  });

  it('says no parameters are declared when there are none', () => {
    expect(problem(lines(...HEAD, 'steps:', '  - id: first', '    action: wait', '    when: params.zone')).message).toBe(
      'runbooks/demo.yaml:6: steps.0.when: unknown parameter "zone" (declared: none)',
    );
  });

  it('refuses outputs that read unknown parameters or steps', () => {
    expect(problem(lines(...HEAD, ...STEPS, 'outputs:', '  where: "${params.zone}"')).message).toBe('runbooks/demo.yaml:9: outputs.where: unknown parameter "zone"');
    expect(problem(lines(...HEAD, ...STEPS, 'outputs:', '  ok: "${steps.first.state}"', '  what: "${steps.third.state}"')).message).toBe('runbooks/demo.yaml:10: outputs.what: unknown step "third"');
  });

  it('checks rollback steps on their own: their ids, gotos and parameters', () => {
    const rollback = (...r: string[]) => lines(...HEAD, ...STEPS, 'rollback:', ...r);
    // A rollback step may read the main steps’ outputs and reuse a main step’s id.
    expect(parseRunbook('runbooks/demo.yaml', rollback('  - id: first', '    action: notify', '    when: steps.second.state == "failed"')).rollback).toHaveLength(1);
    expect(problem(rollback('  - id: undo', '    action: wait', '  - id: undo', '    action: wait')).message).toBe('runbooks/demo.yaml:11: rollback.1.id: step id "undo" is used twice');
    expect(problem(rollback('  - id: undo', '    action: wait', '    onFailure: goto:first')).message).toBe(
      'runbooks/demo.yaml:11: rollback.0.onFailure: goto target "first" is not a step of this runbook',
    );
    expect(problem(rollback('  - id: undo', '    action: wait', '    when: params.zone')).message).toBe('runbooks/demo.yaml:11: rollback.0.when: unknown parameter "zone" (declared: none)');
  });

  it('accepts a goto to a step of the same section', () => {
    const text = lines(...HEAD, 'steps:', '  - id: first', '    action: wait', '    onFailure: goto:second', '  - id: second', '    action: notify');
    expect(parseRunbook('runbooks/demo.yaml', text).steps[0]!.onFailure).toBe('goto:second');
  });
});

describe('lines of problems inside lists', () => {
  it('gives the line of a step that is not a map', () => {
    expect(problem(lines(...HEAD, 'steps:', '  - id: first', '    action: wait', '  - oops')).message).toMatch(/^runbooks\/demo\.yaml:6: steps\.1: /);
  });

  it('says the YAML problem once, with its line in the place and not again in the reason', () => {
    const e = problem(lines(...HEAD, 'steps:', '  - id: [first', '    action: wait'));
    const reason = String(e.details?.reason);
    expect(reason).not.toMatch(/line \d+/);
    // A sentence, not a character of one.
    expect(reason.split(' ').length).toBeGreaterThan(2);
  });
});
