import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/canonical-json';

describe('canonical JSON', () => {
  it('writes the keys of an object in sorted order, whatever order they were set in', () => {
    // Keys sorted by code unit: "a" < "b" < "c".
    expect(canonicalJson({ c: 3, a: 1, b: 2 })).toBe('{"a":1,"b":2,"c":3}');
    expect(canonicalJson({ b: 2, a: 1 })).toBe(canonicalJson({ a: 1, b: 2 }));
  });

  it('sorts the keys of objects nested in objects and in arrays', () => {
    expect(canonicalJson({ z: { y: 1, x: 2 }, list: [{ d: 4, c: 3 }] })).toBe('{"list":[{"c":3,"d":4}],"z":{"x":2,"y":1}}');
  });

  it('keeps the order of an array, its elements separated by commas', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson([[1, 2], []])).toBe('[[1,2],[]]');
  });

  it('leaves out keys whose value is undefined, so an absent field and an undefined one read the same', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson({ only: undefined })).toBe('{}');
  });

  it('keeps null values and writes null itself as null', () => {
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson({ a: null })).toBe('{"a":null}');
    expect(canonicalJson([null])).toBe('[null]');
  });

  it('writes strings, numbers and booleans as JSON does, keys escaped like strings', () => {
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
    expect(canonicalJson(1.5)).toBe('1.5');
    expect(canonicalJson(0)).toBe('0');
    expect(canonicalJson(false)).toBe('false');
    expect(canonicalJson({ 'say "hi"': true })).toBe('{"say \\"hi\\"":true}');
  });

  it('parses back to the same data (undefined fields aside)', () => {
    const data = { weights: { 'api.example.com': { 'us-west-2': 50, 'us-east-1': 100 } }, stages: [50, 100], note: 'x', off: false, none: null };
    expect(JSON.parse(canonicalJson(data))).toEqual(data);
  });
});
