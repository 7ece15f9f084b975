import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import type { AccountAccess } from '../../cloud/aws/aws-accounts';
import { LifeboatError } from '../../core/errors';

/**
 * The AWS accounts lifeboat manages: LIFEBOAT_ACCOUNTS (a comma list of `id` or
 * `id=roleArn`) and/or LIFEBOAT_ACCOUNTS_FILE (YAML or JSON: [{id, roleArn?, externalId?}]).
 * An account without a role is the one lifeboat's own credentials belong to. None: lifeboat
 * works in its own account only.
 */

const accountSchema = z
  .strictObject({
    id: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'),
    roleArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'an IAM role ARN such as arn:aws:iam::222222222222:role/lifeboat')
      .optional(),
    externalId: z.string().min(2).max(1224).optional(),
  })
  .refine((a) => !a.roleArn || a.roleArn.split(':')[4] === a.id, { message: 'the role must be in the account it is listed for', path: ['roleArn'] });

function fromInline(inline: string): unknown[] {
  return inline
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [id, roleArn] = entry.split('=').map((s) => s.trim());
      return { id, ...(roleArn ? { roleArn } : {}) };
    });
}

export function loadAccounts(inline: string | undefined, file: string | undefined): AccountAccess[] {
  const entries: Array<{ from: string; entry: unknown }> = [];
  if (inline) entries.push(...fromInline(inline).map((entry) => ({ from: 'LIFEBOAT_ACCOUNTS', entry })));
  if (file) {
    const parsed: unknown = parse(readFileSync(file, 'utf8'));
    entries.push(...(Array.isArray(parsed) ? parsed : [parsed]).map((entry) => ({ from: file, entry })));
  }
  const accounts = entries.map(({ from, entry }, i) => {
    const r = accountSchema.safeParse(entry);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new LifeboatError('LB_ERR_VALIDATION', `${from}: account ${i + 1}: ${issue.path.join('.') || '(entry)'}: ${issue.message}`, { field: 'accounts' });
    }
    return r.data;
  });
  const ids = new Set<string>();
  for (const a of accounts) {
    if (ids.has(a.id)) throw new LifeboatError('LB_ERR_VALIDATION', `account ${a.id} is listed twice`, { field: 'accounts' });
    ids.add(a.id);
  }
  return accounts.map((a) => ({ id: a.id, ...(a.roleArn ? { roleArn: a.roleArn } : {}), ...(a.externalId ? { externalId: a.externalId } : {}) }));
}
