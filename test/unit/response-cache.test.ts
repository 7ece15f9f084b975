import { describe, expect, it } from 'vitest';
import { ResponseCache } from '../../src/api/response-cache';

describe('the response cache', () => {
  it('answers only while the version it was made from is unchanged', () => {
    const cache = new ResponseCache();
    cache.set('op_1', '3', '{"state":"running"}');
    expect(cache.get('op_1', '3', 0)).toBe('{"state":"running"}');
    expect(cache.get('op_1', '4', 0)).toBeUndefined();
    expect(cache.get('op_2', '3', 0)).toBeUndefined();
  });

  it('forgets an answer once its time is up', () => {
    const cache = new ResponseCache();
    cache.set('op_1', '3', 'body', 1000);
    expect(cache.get('op_1', '3', 1000)).toBe('body');
    expect(cache.get('op_1', '3', 1001)).toBeUndefined();
  });

  it('drops the least recently used answer when full', () => {
    const cache = new ResponseCache(2);
    cache.set('a', '1', 'A');
    cache.set('b', '1', 'B');
    cache.get('a', '1', 0);
    cache.set('c', '1', 'C');
    expect(cache.get('b', '1', 0)).toBeUndefined();
    expect(cache.get('a', '1', 0)).toBe('A');
    expect(cache.get('c', '1', 0)).toBe('C');
  });
});
