import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LifeboatError } from '../../src/core/errors';
import { operationRequestSchema } from '../../src/operations/operation-types';
import { parseOrThrow } from '../../src/operations/validation';

const schema = z.object({ weights: z.record(z.string(), z.number()) }).strict();

function problemOf(run: () => unknown): LifeboatError {
  try {
    run();
  } catch (e) {
    if (e instanceof LifeboatError) return e;
    throw e;
  }
  throw new Error('expected a LifeboatError');
}

describe('parseOrThrow', () => {
  it('names an unknown field as the field itself', () => {
    const e = problemOf(() => parseOrThrow(schema, { weights: {}, colour: 'red' }));
    expect(e).toMatchObject({ code: 'LB_ERR_VALIDATION', details: { field: 'colour' } });
  });

  it('refuses a __proto__ key a record would drop, naming where it is', () => {
    // What zod alone does with it: the key disappears, and the caller never learns.
    const body = JSON.parse('{"weights":{"us-east-1":1,"__proto__":5}}') as unknown;
    expect(schema.parse(body)).toEqual({ weights: { 'us-east-1': 1 } });
    const e = problemOf(() => parseOrThrow(schema, body));
    expect(e).toMatchObject({ code: 'LB_ERR_VALIDATION', message: 'weights.__proto__: a key named __proto__ is not allowed', details: { field: 'weights.__proto__' } });
  });

  it('finds a __proto__ key under thousands of levels of nesting without running out of stack', () => {
    const depth = 50_000;
    const body = JSON.parse(`${'{"a":'.repeat(depth)}{"__proto__":1}${'}'.repeat(depth)}`) as unknown;
    const e = problemOf(() => parseOrThrow(z.unknown(), body));
    expect(String(e.details?.field).split('.')).toHaveLength(depth + 1);
    expect(String(e.details?.field).endsWith('a.__proto__')).toBe(true);
  });

  it('accepts a key that merely looks like one', () => {
    expect(parseOrThrow(schema, { weights: { proto: 1, constructor: 2 } })).toEqual({ weights: { proto: 1, constructor: 2 } });
  });
});

describe('parseOrThrow on operation requests: did you mean', () => {
  const regions = ['us-east-1', 'us-west-2', 'eu-west-1'];

  it('a mistyped region names the nearest managed region and lists them all', () => {
    const e = problemOf(() => parseOrThrow(operationRequestSchema, { kind: 'evacuate', region: 'us-east1' }, { regions }));
    expect(e.message).toBe('region: "us-east1" is not an AWS region code such as us-east-1 (did you mean us-east-1?); managed regions: us-east-1, us-west-2, eu-west-1');
    expect(e.details).toMatchObject({ field: 'region', suggestion: 'us-east-1' });
  });

  it('an unknown field names the field it was probably meant to be, at any depth', () => {
    const e = problemOf(() => parseOrThrow(operationRequestSchema, { kind: 'evacuate', region: 'us-east-1', stage: 3 }));
    expect(e.message).toBe("stage: unknown field (did you mean stages?)");
    expect(e.details).toMatchObject({ field: 'stage', suggestion: 'stages' });
    const group = { region: 'us-east-1', group: 'api-us-east-1', minSize: 1, maxSize: 4, mxSize: 5 };
    const nested = problemOf(() => parseOrThrow(operationRequestSchema, { kind: 'reconcile', groups: [group] }));
    expect(nested.details).toMatchObject({ field: 'groups.0.mxSize', suggestion: 'maxSize' });
  });

  it('an unknown kind names the kind it was probably meant to be, not "Invalid discriminator value"', () => {
    const e = problemOf(() => parseOrThrow(operationRequestSchema, { kind: 'evacuat', region: 'us-east-1' }));
    expect(e.message).toBe('kind: unknown kind "evacuat" (did you mean evacuate?); kinds: evacuate, shift, restore, scale, reconcile, prepare-switches, prepare-dark-capacity, release-dark-capacity');
    expect(e.details).toMatchObject({ field: 'kind', suggestion: 'evacuate' });
  });
});
