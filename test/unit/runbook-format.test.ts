import { describe, expect, it } from 'vitest';
import { parseRunbook, parseRunbookFile } from '../../src/core/runbooks/parse-runbook';
import { resolveTemplates } from '../../src/core/runbooks/expressions';
import { loadRunbooks } from '../../src/app/loaders/load-runbooks';
import { needsOf, needsOfTemplates } from '../../src/runbooks/run-scope';

const valid = `name: demo
description: d
parameters:
  region: { type: string, required: true }
steps:
  - id: first
    action: wait
    inputs: { seconds: 1 }
  - id: second
    action: assert
    inputs: { condition: "steps.first.state == \\"succeeded\\"" }
`;

const parse = (text: string) => () => parseRunbook('runbooks/demo.yaml', text);

describe('the runbook format', () => {
  it('accepts a valid runbook', () => {
    expect(parseRunbook('runbooks/demo.yaml', valid).steps.map((s) => s.id)).toEqual(['first', 'second']);
  });

  it('wants a runbook file named like its runbook, and says at which line', () => {
    expect(parseRunbookFile('runbooks/demo.yaml', valid).name).toBe('demo');
    expect(() => parseRunbookFile('runbooks/other.yml', valid)).toThrow('runbooks/other.yml:1: name: "demo" must match the file name "other"');
  });

  it('ships six runbooks that all validate', () => {
    expect([...loadRunbooks().keys()].sort()).toEqual(['evacuate-region', 'game-day', 'prepare-dark-capacity', 'readiness-report', 'restore-region', 'shift-traffic']);
  });

  it.each([
    ['a YAML syntax error', valid.replace('  - id: second', '  - id: [second'), 'runbooks/demo.yaml:10: yaml:'],
    ['an unknown action', valid.replace('action: assert', 'action: explode'), 'runbooks/demo.yaml:10: steps.1.action: unknown action; use one of plan, evacuate'],
    ['an unknown field', valid.replace('    action: wait', '    action: wait\n    colour: blue'), 'runbooks/demo.yaml:8: steps.0.colour: unknown field'],
    ['a step id used twice', valid.replace('id: second', 'id: first'), 'runbooks/demo.yaml:9: steps.1.id: step id "first" is used twice'],
    ['a goto to no step', valid.replace('    action: wait\n', '    action: wait\n    onFailure: goto:nowhere\n'), 'runbooks/demo.yaml:8: steps.0.onFailure: goto target "nowhere" is not a step'],
    ['an unknown parameter', valid.replace('steps.first.state', 'params.zone'), 'runbooks/demo.yaml:11: steps.1.inputs.condition: unknown parameter "zone"'],
    ['a reference to a later step', valid.replace('inputs: { seconds: 1 }', 'inputs: { seconds: "${steps.second.outputs.x}" }'), 'runbooks/demo.yaml:8: steps.0.inputs.seconds: step "second" runs later'],
    ['a default of the wrong type', valid.replace('{ type: string, required: true }', '{ type: number, default: fast }'), 'runbooks/demo.yaml:4: parameters.region.default: default must be a number'],
    ['a step id with a dash (it could not be read in expressions)', valid.replace('id: first', 'id: first-step').replace('steps.first.state', 'params.region'), 'runbooks/demo.yaml:6: steps.0.id:'],
    ['no steps', 'name: demo\ndescription: d\nsteps: []\n', 'runbooks/demo.yaml:3: steps:'],
  ])('rejects %s with the file, the line and the reason', (_what, text, message) => {
    expect(parse(text)).toThrow(message);
  });
});

describe('runbook expressions', () => {
  const scope = { params: { region: 'us-east-1', stages: 3, webhook: '' }, steps: { plan: { outputs: { blocked: false, blockers: [] } } } };

  it('keeps the type of a value that is one ${...}, and interpolates text otherwise', () => {
    expect(resolveTemplates({ stages: '${params.stages}', text: 'evacuating ${params.region} in ${params.stages} stages' }, scope, 'x')).toEqual({
      stages: 3,
      text: 'evacuating us-east-1 in 3 stages',
    });
  });

  it('compares text with == and !=', () => {
    expect(resolveTemplates('${params.region == "us-east-1" and params.webhook != "x"}', scope, 'x')).toBe(true);
  });

  it('names the place and the expression that cannot be evaluated', () => {
    expect(() => resolveTemplates('${params.region + }', scope, 'evacuate.inputs.region')).toThrow(/evacuate.inputs.region: "params.region \+ " cannot be evaluated/);
  });

  it('reads the fleet or readiness only for expressions that use them as names, not for step ids or text', () => {
    expect(needsOf('fleet.regionShare[params.region] == 0')).toEqual({ fleet: true, readiness: false });
    expect(needsOf('steps.readiness.outputs.ready')).toEqual({ fleet: false, readiness: false });
    expect(needsOfTemplates({ text: 'N+1 readiness: ${steps.check.outcome}', condition: 'fleet.regionShare.a == 0' })).toEqual({ fleet: false, readiness: false });
    expect(needsOfTemplates({ ready: ['${readiness.ready}'] })).toEqual({ fleet: false, readiness: true });
  });
});
