import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { LifeboatError } from '../../core/errors';
import type { TokenEntry } from '../../operations/tokens';
import { tokenEntrySchema } from '../../operations/tokens';

/** Tokens from LIFEBOAT_TOKENS (inline JSON) and LIFEBOAT_TOKENS_FILE (YAML or JSON). */
export function loadTokens(inline: string | undefined, file: string | undefined): TokenEntry[] {
  const entries: unknown[] = [];
  const where: string[] = [];
  if (inline) {
    try {
      entries.push(...(JSON.parse(inline) as unknown[]));
    } catch {
      throw new LifeboatError('LB_ERR_VALIDATION', 'environment variable LIFEBOAT_TOKENS: not a JSON list of {name, sha256, roles}', { field: 'LIFEBOAT_TOKENS' });
    }
    where.push('LIFEBOAT_TOKENS');
  }
  if (file) {
    const parsed: unknown = parse(readFileSync(file, 'utf8'));
    entries.push(...(Array.isArray(parsed) ? parsed : [parsed]));
    where.push(file);
  }
  const tokens = entries.map((e, i) => {
    const r = tokenEntrySchema.safeParse(e);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new LifeboatError('LB_ERR_VALIDATION', `${where.join(' + ')}: token ${i + 1}: ${issue.path.join('.') || '(entry)'}: ${issue.message}`, { field: 'tokens' });
    }
    return r.data;
  });
  const names = new Set<string>();
  for (const t of tokens) {
    if (names.has(t.name)) throw new LifeboatError('LB_ERR_VALIDATION', `two tokens are named ${t.name}`, { field: 'tokens' });
    names.add(t.name);
  }
  return tokens;
}
