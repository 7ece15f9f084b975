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
  // One name is one identity (the two-person rule compares names case-insensitively), and one token one name.
  const names = new Map<string, string>();
  const hashes = new Map<string, string>();
  for (const t of tokens) {
    const same = names.get(t.name.toLowerCase());
    if (same !== undefined) {
      const how = same === t.name ? `two tokens are named ${t.name}` : `tokens ${same} and ${t.name} differ only in case: a name is one identity whatever its case`;
      throw new LifeboatError('LB_ERR_VALIDATION', `${where.join(' + ')}: ${how}; give each person one entry (with all their roles)`, { field: 'tokens' });
    }
    const twin = hashes.get(t.sha256);
    if (twin !== undefined) throw new LifeboatError('LB_ERR_VALIDATION', `${where.join(' + ')}: tokens ${twin} and ${t.name} are the same token (one sha256): a token belongs to one identity`, { field: 'tokens' });
    names.set(t.name.toLowerCase(), t.name);
    hashes.set(t.sha256, t.name);
  }
  return tokens;
}
