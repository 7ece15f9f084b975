import { describe, expect, it } from 'vitest';
import type { ManagedGroup } from '../../src/core/fleet';
import { distributeAcrossGroups, groupChange } from '../../src/core/planner/group-sizing';

/** A bare group of `api` in us-west-2: only the sizes matter to the sizing functions. */
const group = (name: string, desiredCapacity: number, maxSize: number, minSize = 0): ManagedGroup => ({
  region: 'us-west-2',
  name,
  service: 'api',
  minSize,
  maxSize,
  desiredCapacity,
  inService: desiredCapacity,
  pending: 0,
  instances: [],
  tags: { 'lifeboat:service': 'api' },
});

describe('spreading a region target over its groups', () => {
  it('splits the extra in proportion to what each group runs', () => {
    // a runs 6, b runs 2, target 16: extra 8 split 6:2 → a +6, b +2 → 12 and 4
    // (an equal split would give 10 and 6).
    expect(distributeAcrossGroups([group('a', 6, 100), group('b', 2, 100)], 16, 1)).toEqual([12, 4]);
  });

  it('gives the instance left after the floors to the group with the largest fraction, not the largest group', () => {
    // a runs 5, b runs 2, target 10: extra 3 split 5:2 → a 15/7 = 2.14, b 6/7 = 0.86;
    // floors 2 and 0 leave 1, which goes to b (fraction .86 > .14) → a 7, b 3.
    expect(distributeAcrossGroups([group('a', 5, 100), group('b', 2, 100)], 10, 1)).toEqual([7, 3]);
  });

  it('never hands a remainder instance to a group already at its ceiling', () => {
    // a runs 5 (MaxSize 7, room 2), b runs 2, target 11: extra 4 → a 20/7 = 2.86, b 8/7 = 1.14;
    // floors a 2 (all its room), b 1; the instance left would go to a (.86) but a is full → b → a 7, b 4.
    expect(distributeAcrossGroups([group('a', 5, 7), group('b', 2, 100)], 11, 1)).toEqual([7, 4]);
  });

  it('stops a group at its MaxSize and gives what it cannot take to the others (the worked example)', () => {
    // a 6 (max 10), b 2 (max 20), target 16: extra 8 split 6:2 → a would reach 12 > 10,
    // so a stops at 10 and b takes the other 2 → a 10, b 6.
    expect(distributeAcrossGroups([group('a', 6, 10), group('b', 2, 20)], 16, 1)).toEqual([10, 6]);
  });

  it('lets a group grow past MaxSize only as far as the allowed growth', () => {
    // MaxSize 10 × 1.5 → ceiling 15 for a; b (max 20 × 1.5 = 30) takes the rest.
    // a 6, b 2, target 28: extra 20 split 6:2 → a +15 → 21 > 15, so a stops at 15, b 2 + 11 = 13.
    expect(distributeAcrossGroups([group('a', 6, 10), group('b', 2, 20)], 28, 1.5)).toEqual([15, 13]);
  });

  it('stops at every ceiling when the target exceeds them all, without looping', () => {
    // a 6 (max 10), b 2 (max 4), target 100: both end at their MaxSize, 14 in all.
    expect(distributeAcrossGroups([group('a', 6, 10), group('b', 2, 4)], 100, 1)).toEqual([10, 4]);
  });

  it('adds nothing to a group that already runs at its MaxSize', () => {
    // a runs 8 with MaxSize 8: no room, so a target of 48 leaves it at 8.
    expect(distributeAcrossGroups([group('a', 8, 8)], 48, 1)).toEqual([8]);
  });

  it('never shrinks a group that already runs above its ceiling', () => {
    // a runs 12 with MaxSize 10 (lowered under it), b 2: target 20 → extra 6 all to b, a keeps 12.
    expect(distributeAcrossGroups([group('a', 12, 10), group('b', 2, 100)], 20, 1)).toEqual([12, 8]);
  });

  it('gives groups that run nothing no share while another group runs something', () => {
    // a runs 4, b runs 0, target 8: extra 4 in proportion 4:0 → all to a → 8 and 0.
    expect(distributeAcrossGroups([group('a', 4, 100), group('b', 0, 100)], 8, 1)).toEqual([8, 0]);
  });

  it('splits equally when no group runs anything', () => {
    // 0, 0, 0 and target 7: 7/3 = 2.33 each → floors 2, 2, 2 and the one left to the first → 3, 2, 2.
    expect(distributeAcrossGroups([group('a', 0, 100), group('b', 0, 100), group('c', 0, 100)], 7, 1)).toEqual([3, 2, 2]);
  });

  it('leaves every group as it is when the target is at or below what they run', () => {
    const groups = [group('a', 6, 10), group('b', 2, 20)];
    expect(distributeAcrossGroups(groups, 8, 1)).toEqual([6, 2]);
    expect(distributeAcrossGroups(groups, 3, 1)).toEqual([6, 2]);
  });
});

describe('the change a group needs to reach a size', () => {
  const g = group('api-us-west-2', 10, 20, 2);

  it('is nothing when the group already has those sizes', () => {
    expect(groupChange(g, { minSize: 2, desiredCapacity: 10, maxSize: 20 })).toBeUndefined();
  });

  it('is a change when only MaxSize differs', () => {
    expect(groupChange(g, { minSize: 2, desiredCapacity: 10, maxSize: 25 })).toEqual({
      region: 'us-west-2',
      group: 'api-us-west-2',
      service: 'api',
      from: { minSize: 2, desiredCapacity: 10, maxSize: 20 },
      to: { minSize: 2, desiredCapacity: 10, maxSize: 25 },
    });
  });

  it('is a change when only MinSize or only DesiredCapacity differs', () => {
    expect(groupChange(g, { minSize: 3, desiredCapacity: 10, maxSize: 20 })?.to).toEqual({ minSize: 3, desiredCapacity: 10, maxSize: 20 });
    expect(groupChange(g, { minSize: 2, desiredCapacity: 11, maxSize: 20 })?.to).toEqual({ minSize: 2, desiredCapacity: 11, maxSize: 20 });
  });
});
