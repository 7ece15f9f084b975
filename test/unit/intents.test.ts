import { describe, expect, it } from 'vitest';
import { intentSchema } from '../../src/core/intents';

/** The messages of the issues a request raises, each with the path it names. */
function issues(request: unknown): Array<[string, string]> {
  const r = intentSchema.safeParse(request);
  return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
}

const evacuate = (stages: unknown) => ({ kind: 'evacuate', region: 'us-east-1', stages });

describe('stage percentages in an intent', () => {
  it('accepts increasing percentages that end at 100', () => {
    expect(issues(evacuate([25, 50, 100]))).toEqual([]);
  });

  it('accepts a single stage of 100: the first stage has nothing before it to exceed', () => {
    expect(issues(evacuate([100]))).toEqual([]);
  });

  it('refuses a stage that repeats the one before it', () => {
    expect(issues(evacuate([50, 50, 100]))).toEqual([['stages', 'stage percentages must increase']]);
  });

  it('refuses a stage below the one before it', () => {
    expect(issues(evacuate([60, 40, 100]))).toEqual([['stages', 'stage percentages must increase']]);
  });

  it('refuses percentages that stop short of the whole move', () => {
    expect(issues(evacuate([50, 90]))).toEqual([['stages', 'the last stage must be 100 (the whole move)']]);
  });

  it('takes a whole number of equal stages instead of a list', () => {
    expect(issues(evacuate(4))).toEqual([]);
  });
});

describe('a scale request', () => {
  const scale = (sizes: { desiredCapacity: number; minSize?: number; maxSize?: number }) => ({ kind: 'scale', region: 'us-east-1', service: 'api', ...sizes });

  it('accepts MinSize and MaxSize equal to the desired capacity', () => {
    expect(issues(scale({ desiredCapacity: 5, minSize: 5, maxSize: 5 }))).toEqual([]);
  });

  it('accepts desired capacity alone', () => {
    expect(issues(scale({ desiredCapacity: 5 }))).toEqual([]);
  });

  it('refuses a MinSize above the desired capacity, naming minSize', () => {
    expect(issues(scale({ desiredCapacity: 5, minSize: 6 }))).toEqual([['minSize', 'minSize must not exceed desiredCapacity']]);
  });

  it('refuses a MaxSize below the desired capacity, naming maxSize', () => {
    expect(issues(scale({ desiredCapacity: 5, maxSize: 4 }))).toEqual([['maxSize', 'maxSize must not be below desiredCapacity']]);
  });

  it('reports both when MinSize is too high and MaxSize too low', () => {
    expect(issues(scale({ desiredCapacity: 5, minSize: 6, maxSize: 4 }))).toEqual([
      ['minSize', 'minSize must not exceed desiredCapacity'],
      ['maxSize', 'maxSize must not be below desiredCapacity'],
    ]);
  });
});

describe('a reconcile request', () => {
  const reconcile = (minSize: number, maxSize: number) => ({ kind: 'reconcile', groups: [{ region: 'us-east-1', group: 'api-us-east-1', minSize, maxSize }] });

  it('accepts group bounds with MinSize up to MaxSize', () => {
    expect(issues(reconcile(3, 3))).toEqual([]);
    expect(issues(reconcile(2, 3))).toEqual([]);
  });

  it('refuses group bounds with MinSize above MaxSize, naming the group’s minSize', () => {
    expect(issues(reconcile(4, 3))).toEqual([['groups.0.minSize', 'minSize must not exceed maxSize']]);
  });
});

describe('region codes in an intent', () => {
  it('accepts AWS region codes, with one or more words between the country and the number', () => {
    for (const region of ['us-east-1', 'ap-southeast-2', 'us-gov-west-1', 'eu-central-12']) expect(issues({ kind: 'evacuate', region })).toEqual([]);
  });

  it('refuses what is not a region code', () => {
    for (const region of ['US-EAST-1', 'us-east', 'useast1', 'us-east-123', 'x-us-east-1', 'us-east-1a']) {
      expect(issues({ kind: 'evacuate', region }), region).toEqual([['region', 'an AWS region code such as us-east-1']]);
    }
  });
});
