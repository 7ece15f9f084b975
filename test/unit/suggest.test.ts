import { describe, expect, it } from 'vitest';
import { closestMatch, didYouMean, editDistance } from '../../src/core/suggest';

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];

describe('did you mean', () => {
  it('counts the edits between two words, a swap of neighbours as one', () => {
    expect(editDistance('us-east1', 'us-east-1')).toBe(1);
    expect(editDistance('stage', 'stages')).toBe(1);
    expect(editDistance('evacuaet', 'evacuate')).toBe(1);
    expect(editDistance('', 'api')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('suggests the nearest known name for a slip: a region, a field, a kind', () => {
    expect(closestMatch('us-east1', REGIONS)).toBe('us-east-1');
    expect(closestMatch('US-West-2', REGIONS)).toBe('us-west-2');
    expect(closestMatch('stage', ['region', 'stages', 'services'])).toBe('stages');
    expect(closestMatch('evacuat', ['evacuate', 'shift', 'restore', 'scale', 'reconcile'])).toBe('evacuate');
    expect(didYouMean('us-east1', REGIONS)).toBe(' (did you mean us-east-1?)');
  });

  it('suggests nothing when nothing is close, or when the word is already known', () => {
    expect(closestMatch('ap-southeast-2', REGIONS)).toBeUndefined();
    expect(closestMatch('us-east-1', REGIONS)).toBeUndefined();
    expect(closestMatch('', REGIONS)).toBeUndefined();
    expect(didYouMean('banana', ['evacuate', 'shift'])).toBe('');
  });
});
