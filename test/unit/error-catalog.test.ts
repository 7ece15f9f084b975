import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOG, LifeboatError, isLifeboatError } from '../../src/core/errors';

const apiDocs = readFileSync(join(__dirname, '..', '..', 'docs', 'api.md'), 'utf8');
const errorsSection = apiDocs.slice(apiDocs.indexOf('## Errors'), apiDocs.indexOf('\n## ', apiDocs.indexOf('## Errors') + 1));
const documented = new Map(
  [...errorsSection.matchAll(/^\| `(LB_ERR_[A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])]),
);

describe('the error catalog', () => {
  it('documents every code in docs/api.md with its status', () => {
    for (const [code, spec] of Object.entries(ERROR_CATALOG)) {
      expect(documented.get(code), `${code} missing from docs/api.md ## Errors`).toBe(spec.status);
    }
  });

  it('documents no code that does not exist', () => {
    for (const code of documented.keys()) expect(Object.keys(ERROR_CATALOG)).toContain(code);
  });

  it('gives every code a title that says what went wrong', () => {
    const specs = Object.values(ERROR_CATALOG);
    expect(specs.length).toBeGreaterThan(0);
    for (const spec of specs) expect(spec.title.length).toBeGreaterThan(10);
  });

  it('gives every code a hint for what to do next', () => {
    for (const spec of Object.values(ERROR_CATALOG)) expect(spec.hint.length).toBeGreaterThan(10);
  });

  it('serializes an error as code, message, hint and details, without a stack', () => {
    const body = JSON.parse(JSON.stringify(new LifeboatError('LB_ERR_SHORTFALL', 'api short by 4', { short: 4 })));
    expect(body).toEqual({ error: { code: 'LB_ERR_SHORTFALL', message: 'api short by 4', hint: ERROR_CATALOG.LB_ERR_SHORTFALL.hint, details: { short: 4 } } });
  });
});

describe('a LifeboatError', () => {
  it('takes its status and hint from the catalog entry of its code', () => {
    const e = new LifeboatError('LB_ERR_NOT_FOUND', 'no operation op-1');
    // docs/api.md: LB_ERR_NOT_FOUND answers 404.
    expect(e.status).toBe(404);
    expect(e.hint).toBe(ERROR_CATALOG.LB_ERR_NOT_FOUND.hint);
    expect(e.code).toBe('LB_ERR_NOT_FOUND');
    expect(e.message).toBe('no operation op-1');
    expect(e.details).toBeUndefined();
  });

  it('is an Error named LifeboatError, so a log line says what it is', () => {
    const e = new LifeboatError('LB_ERR_INTERNAL', 'boom');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('LifeboatError');
    expect(String(e)).toBe('LifeboatError: boom');
  });

  it('keeps a hint of its own over the catalog one', () => {
    expect(new LifeboatError('LB_ERR_SHORTFALL', 'short', undefined, 'raise MaxSize of api-us-west-2').hint).toBe('raise MaxSize of api-us-west-2');
  });

  it('as a Problem: code, message and details, and no hint when it only repeats the catalog', () => {
    const p = new LifeboatError('LB_ERR_SHORTFALL', 'api short by 4', { short: 4 }).toProblem();
    expect(p).toStrictEqual({ code: 'LB_ERR_SHORTFALL', message: 'api short by 4', details: { short: 4 } });
  });

  it('as a Problem: its own hint, and no details field when it has none', () => {
    const p = new LifeboatError('LB_ERR_SHORTFALL', 'api short by 4', undefined, 'raise MaxSize').toProblem();
    expect(p).toStrictEqual({ code: 'LB_ERR_SHORTFALL', message: 'api short by 4', hint: 'raise MaxSize' });
  });

  it('comes back from its Problem the same: code, status, message, details and hint', () => {
    const withHint = LifeboatError.fromProblem({ code: 'LB_ERR_REGION_LOCKED', message: 'held', details: { operation: 'op-7' }, hint: 'cancel op-7' });
    expect(withHint).toBeInstanceOf(LifeboatError);
    expect([withHint.code, withHint.status, withHint.message, withHint.details, withHint.hint]).toEqual(['LB_ERR_REGION_LOCKED', 409, 'held', { operation: 'op-7' }, 'cancel op-7']);
    const plain = LifeboatError.fromProblem({ code: 'LB_ERR_REGION_LOCKED', message: 'held' });
    expect(plain.hint).toBe(ERROR_CATALOG.LB_ERR_REGION_LOCKED.hint);
    expect(plain.toProblem()).toStrictEqual({ code: 'LB_ERR_REGION_LOCKED', message: 'held' });
  });

  it('serializes without a details field when it has no details', () => {
    const body = new LifeboatError('LB_ERR_NOT_FOUND', 'no operation op-1').toJSON();
    expect(body).toStrictEqual({ error: { code: 'LB_ERR_NOT_FOUND', message: 'no operation op-1', hint: ERROR_CATALOG.LB_ERR_NOT_FOUND.hint } });
  });

  it('is recognized as a LifeboatError, and a plain Error or a look-alike object is not', () => {
    expect(isLifeboatError(new LifeboatError('LB_ERR_INTERNAL', 'x'))).toBe(true);
    expect(isLifeboatError(new Error('x'))).toBe(false);
    expect(isLifeboatError({ code: 'LB_ERR_INTERNAL', message: 'x', name: 'LifeboatError' })).toBe(false);
    expect(isLifeboatError(undefined)).toBe(false);
  });
});
