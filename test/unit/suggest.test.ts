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

  it('counts substitutions, insertions and deletions anywhere in the word', () => {
    expect(editDistance('api', '')).toBe(3);
    // kitten → sitten (k→s) → sittin (e→i) → sitting (+g): 3.
    expect(editDistance('kitten', 'sitting')).toBe(3);
    // ab → ba is one swap; abc → cab is no swap of neighbours: delete c at the end, insert c in front: 2.
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('abc', 'cab')).toBe(2);
    expect(editDistance('abcd', 'acbd')).toBe(1);
  });

  it('suggests the first listed of two equally near names', () => {
    // us-west-3 is one substitution from both.
    expect(closestMatch('us-west-3', ['us-west-1', 'us-west-2'])).toBe('us-west-1');
  });

  it('suggests nothing from an empty list', () => {
    expect(closestMatch('us-east-1', [])).toBeUndefined();
  });

  it('takes a third of the word’s length as near enough, at least 2 edits', () => {
    // 12 letters: up to 4 edits. abcdefghijkl with its first 4 letters changed is 4 edits away; with 5 changed, 5 (more than 12 / 3).
    expect(closestMatch('wxyzefghijkl', ['abcdefghijkl'])).toBe('abcdefghijkl');
    expect(closestMatch('vwxyzfghijkl', ['abcdefghijkl'])).toBeUndefined();
    // 13 letters: still 4 (13 / 3 = 4.33, whole edits only).
    expect(closestMatch('vwxyzfghijklm', ['abcdefghijklm'])).toBeUndefined();
    // 5 letters: a third is 1, but 2 edits are allowed; 3 are not.
    expect(closestMatch('xycde', ['abcde'])).toBe('abcde');
    expect(closestMatch('xyzde', ['abcde'])).toBeUndefined();
  });

  it('suggests a name the word begins, or that begins the word, when none is near enough', () => {
    // 'eu' is 7 edits from eu-west-1, but begins it (whatever the case).
    expect(closestMatch('EU', ['us-east-1', 'eu-west-1'])).toBe('eu-west-1');
    expect(closestMatch('eva', ['shift', 'Evacuate'])).toBe('Evacuate');
    // 'us-east-1-primary' is 8 edits from us-east-1 (more than 17 / 3 = 5), but begins with it.
    expect(closestMatch('us-east-1-primary', ['eu-west-1', 'us-east-1'])).toBe('us-east-1');
    // Ending with a name is not beginning with it.
    expect(closestMatch('primary-us-east-1', ['us-east-1'])).toBeUndefined();
  });

  it('suggests the name itself for the word in another case', () => {
    expect(closestMatch('US-EAST-1', REGIONS)).toBe('us-east-1');
  });
});
