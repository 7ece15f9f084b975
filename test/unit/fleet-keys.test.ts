import { describe, expect, it } from 'vitest';
import { accountOf, groupKey, keyOfGroup, recordKey } from '../../src/core/fleet';
import { recordSetKey } from '../../src/core/snapshot';

describe('group keys', () => {
  it('tell groups apart by region and by name', () => {
    const keys = [groupKey('us-east-1', 'api'), groupKey('us-west-2', 'api'), groupKey('us-east-1', 'web')];
    expect(new Set(keys).size).toBe(3);
  });

  it('do not run region and name together: ("a-1", "bc") and ("a-1b", "c") are different groups', () => {
    expect(groupKey('a-1', 'bc')).not.toBe(groupKey('a-1b', 'c'));
  });

  it('hold only the region and the name when the group has no account', () => {
    expect(groupKey('us-east-1', 'api').split('\u0000')).toEqual(['us-east-1', 'api']);
  });

  it('tell the same group name apart in two accounts, and from the group with no account', () => {
    const keys = [groupKey('us-east-1', 'api', '111111111111'), groupKey('us-east-1', 'api', '222222222222'), groupKey('us-east-1', 'api')];
    expect(new Set(keys).size).toBe(3);
  });

  it('are the same whether the group is named as a change names it (group) or as a reading does (name)', () => {
    expect(keyOfGroup({ region: 'us-east-1', group: 'api' })).toBe(groupKey('us-east-1', 'api'));
    expect(keyOfGroup({ region: 'us-east-1', name: 'api' })).toBe(groupKey('us-east-1', 'api'));
    expect(keyOfGroup({ region: 'us-east-1', name: 'api', account: '111111111111' })).toBe(groupKey('us-east-1', 'api', '111111111111'));
    expect(keyOfGroup({ region: 'us-east-1', group: 'api', account: '111111111111' })).not.toBe(keyOfGroup({ region: 'us-east-1', group: 'api' }));
  });
});

describe('accountOf', () => {
  it('carries the account when there is one', () => {
    expect(accountOf({ account: '111111111111' })).toStrictEqual({ account: '111111111111' });
  });

  it('adds no account field at all when there is none, not even an undefined one', () => {
    const none = accountOf({});
    expect(Object.keys(none)).toEqual([]);
    expect(Object.keys(accountOf({ account: undefined }))).toEqual([]);
  });
});

describe('record keys', () => {
  const rec = { zoneId: 'Z1', name: 'api.example.com', type: 'A', setIdentifier: 'us-east-1' };

  it('tell records apart by zone, name, type and set identifier', () => {
    const keys = [
      recordKey(rec),
      recordKey({ ...rec, zoneId: 'Z2' }),
      recordKey({ ...rec, name: 'web.example.com' }),
      recordKey({ ...rec, type: 'AAAA' }),
      recordKey({ ...rec, setIdentifier: 'us-west-2' }),
    ];
    expect(new Set(keys).size).toBe(5);
  });

  it('key a record set as AWS spells its name the same as the snapshot record it becomes', () => {
    // AWS: fully qualified, trailing dot; a human may write it in capitals.
    expect(recordSetKey({ ...rec, name: 'API.Example.com.' })).toBe(recordKey(rec));
    expect(recordSetKey({ ...rec, name: '\\052.example.com.' })).toBe(recordKey({ ...rec, name: '*.example.com' }));
  });
});
