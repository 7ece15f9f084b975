import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOG, LifeboatError } from '../../src/core/errors';

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

  it('gives every code a hint for what to do next', () => {
    for (const spec of Object.values(ERROR_CATALOG)) expect(spec.hint.length).toBeGreaterThan(10);
  });

  it('serializes an error as code, message, hint and details, without a stack', () => {
    const body = JSON.parse(JSON.stringify(new LifeboatError('LB_ERR_SHORTFALL', 'api short by 4', { short: 4 })));
    expect(body).toEqual({ error: { code: 'LB_ERR_SHORTFALL', message: 'api short by 4', hint: ERROR_CATALOG.LB_ERR_SHORTFALL.hint, details: { short: 4 } } });
  });
});
