import { describe, expect, it } from 'vitest';
import { PIN_TAGS, TAG_PINNED_BY, TAG_PINNED_FROM, TAG_WEIGHTS_BEFORE, pinOf, pinTags } from '../../src/core/pins';

describe('the pin record lifeboat leaves on a group it pins', () => {
  const pin = { operationId: 'op_mxc1_9f3a', from: { minSize: 2, desiredCapacity: 6, maxSize: 20 }, weightsBefore: { 'us-east-1': 100, 'us-west-2': 100, 'eu-west-1': 0 } };

  it('is three tags a person can read, and reads back as it was written', () => {
    const tags = pinTags(pin);
    expect(tags).toEqual({
      [TAG_PINNED_BY]: 'op_mxc1_9f3a',
      [TAG_PINNED_FROM]: 'min=2,desired=6,max=20',
      [TAG_WEIGHTS_BEFORE]: 'us-east-1=100,us-west-2=100,eu-west-1=0',
    });
    expect(Object.keys(tags).sort()).toEqual([...PIN_TAGS].sort());
    expect(pinOf({ 'lifeboat:service': 'api', ...tags })).toEqual(pin);
  });

  it('leaves out weights that would not fit a tag value (256 characters), and keeps the rest', () => {
    const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`ap-southeast-${i + 10}`, 100]));
    const tags = pinTags({ ...pin, weightsBefore: many });
    expect(tags[TAG_WEIGHTS_BEFORE]).toBeUndefined();
    expect(pinOf(tags)).toEqual({ operationId: pin.operationId, from: pin.from });
  });

  it('is no pin when a tag is missing or not of its shape', () => {
    expect(pinOf({})).toBeUndefined();
    expect(pinOf({ [TAG_PINNED_BY]: 'op_x' })).toBeUndefined();
    expect(pinOf({ [TAG_PINNED_BY]: 'op_x', [TAG_PINNED_FROM]: 'min=2,max=20' })).toBeUndefined();
    expect(pinOf({ [TAG_PINNED_BY]: 'op_x', [TAG_PINNED_FROM]: 'min=two,desired=6,max=20' })).toBeUndefined();
    // Weights that cannot be read are left out; the pin itself still counts.
    expect(pinOf({ [TAG_PINNED_BY]: 'op_x', [TAG_PINNED_FROM]: 'min=2,desired=6,max=20', [TAG_WEIGHTS_BEFORE]: 'garbage' })).toEqual({ operationId: 'op_x', from: pin.from });
  });

  it('is two tags for a pin without weights (a scale, not a move)', () => {
    expect(pinTags({ operationId: 'op_scale', from: { minSize: 1, desiredCapacity: 3, maxSize: 9 } })).toEqual({
      [TAG_PINNED_BY]: 'op_scale',
      [TAG_PINNED_FROM]: 'min=1,desired=3,max=9',
    });
  });

  it('keeps weights that fill a tag value to exactly 256 characters, and leaves them out at 257', () => {
    // 'a…a=1' with a key of 125 characters is 127 long, ',' 1, 'b…b=1' with a key of 126 is 128: 256.
    // With both keys of 126: 128 + 1 + 128 = 257.
    const fits = { ['a'.repeat(125)]: 1, ['b'.repeat(126)]: 1 };
    expect(pinTags({ ...pin, weightsBefore: fits })[TAG_WEIGHTS_BEFORE]).toHaveLength(256);
    const over = { ['a'.repeat(126)]: 1, ['b'.repeat(126)]: 1 };
    expect(pinTags({ ...pin, weightsBefore: over })[TAG_WEIGHTS_BEFORE]).toBeUndefined();
  });

  it('reads sizes written with spaces around each pair', () => {
    expect(pinOf({ [TAG_PINNED_BY]: 'op_x', [TAG_PINNED_FROM]: ' min=2 , desired=6 ,max=20 ' })).toEqual({ operationId: 'op_x', from: pin.from });
  });

  it('is no pin without the operation that pinned it, or with any one size missing', () => {
    const from = { [TAG_PINNED_FROM]: 'min=2,desired=6,max=20' };
    expect(pinOf(from)).toBeUndefined();
    expect(pinOf({ [TAG_PINNED_BY]: '', ...from })).toBeUndefined();
    expect(pinOf({ [TAG_PINNED_BY]: 'op_x', [TAG_PINNED_FROM]: 'desired=6,max=20' })).toBeUndefined();
    expect(pinOf({ [TAG_PINNED_BY]: 'op_x', [TAG_PINNED_FROM]: 'min=2,desired=6' })).toBeUndefined();
    expect(pinOf({ [TAG_PINNED_BY]: 'op_x', [TAG_PINNED_FROM]: '' })).toBeUndefined();
  });

  it('is no pin when a size has anything before or after its pair', () => {
    expect(pinOf({ [TAG_PINNED_BY]: 'op_x', [TAG_PINNED_FROM]: '#min=2,desired=6,max=20' })).toBeUndefined();
    expect(pinOf({ [TAG_PINNED_BY]: 'op_x', [TAG_PINNED_FROM]: 'min=2,desired=6,max=20x' })).toBeUndefined();
    expect(pinOf({ [TAG_PINNED_BY]: 'op_x', [TAG_PINNED_FROM]: 'min=2,desired=6=7,max=20' })).toBeUndefined();
    expect(pinOf({ [TAG_PINNED_BY]: 'op_x', [TAG_PINNED_FROM]: 'min=,desired=6,max=20' })).toBeUndefined();
  });
});
