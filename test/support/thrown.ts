import { expect } from 'vitest';
import { LifeboatError } from '../../src/core/errors';

/** The LifeboatError a call throws (it must throw one). */
export function thrownLifeboatError(fn: () => unknown): LifeboatError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LifeboatError);
    return e as LifeboatError;
  }
  throw new Error('expected an error, none thrown');
}
