import { describe, expect, it } from 'vitest';
import { describeOperation, describeRequest, requestFields, requestTarget } from '../../src/text/request-text';

describe('a request in words', () => {
  it('says what each kind of operation asks for, the same words in the REPL, the CLI and a plan title', () => {
    expect(describeRequest({ kind: 'evacuate', region: 'us-east-1' })).toBe('evacuate us-east-1');
    expect(describeRequest({ kind: 'restore', region: 'us-east-1' })).toBe('restore us-east-1');
    expect(describeRequest({ kind: 'shift', from: 'us-west-2', percent: 50 })).toBe('shift 50% from us-west-2');
    expect(describeRequest({ kind: 'shift', from: 'us-west-2', percent: 50, to: ['eu-west-1', 'us-east-1'] })).toBe('shift 50% from us-west-2 to eu-west-1, us-east-1');
    expect(describeRequest({ kind: 'scale', region: 'us-west-2', service: 'api', desiredCapacity: 12 })).toBe('scale api in us-west-2 to 12');
  });

  it('names a runbook run by its runbook and first two parameters, the rest left to its detail', () => {
    const request = { runbook: 'game-day', params: { region: 'us-east-1', holdSeconds: 0, stages: 1 } };
    expect(describeOperation({ kind: 'runbook', request })).toBe('runbook game-day region=us-east-1 holdSeconds=0 …');
    expect(requestTarget('runbook', { runbook: 'drill', params: {} })).toBe('drill');
  });

  it('lists every field of a request like a command line, a run parameters inline', () => {
    expect(requestFields({ kind: 'evacuate', region: 'us-east-1', stages: [25, 100], force: true })).toBe('kind=evacuate region=us-east-1 stages=[25,100] force=true');
    expect(requestFields({ runbook: 'game-day', params: { region: 'us-east-1' } })).toBe('runbook=game-day region=us-east-1');
  });

  it('says only the kind of a request it has no words for', () => {
    expect(describeRequest({ kind: 'rebalance' })).toBe('rebalance');
  });
});
