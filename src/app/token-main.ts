import { parseArgs } from 'node:util';
import { ROLES, hashToken, newToken } from '../operations/tokens';
import type { Role } from '../operations/tokens';

/**
 * npm run token -- --name alice --role operator [--role approver]
 * Prints a new token once (give it to its owner) and the entry to configure (its hash).
 */
const { values } = parseArgs({ options: { name: { type: 'string' }, role: { type: 'string', multiple: true }, json: { type: 'boolean' } } });
const roles = (values.role ?? ['viewer']) as Role[];
if (!values.name || roles.some((r) => !ROLES.includes(r))) {
  process.stderr.write(`usage: npm run token -- --name <name> --role <${ROLES.join('|')}> [--role ...]\n`);
  process.exit(2);
}
const token = newToken();
const entry = { name: values.name, sha256: hashToken(token), roles };
if (values.json) {
  process.stdout.write(`${JSON.stringify({ token, entry })}\n`);
} else {
  process.stdout.write(
    [
      `token for ${values.name} (shown once; lifeboat keeps only its hash):`,
      `  ${token}`,
      'add to LIFEBOAT_TOKENS_FILE (YAML):',
      `  - name: ${entry.name}`,
      `    sha256: ${entry.sha256}`,
      `    roles: [${roles.join(', ')}]`,
      'use it:',
      `  curl -H 'Authorization: Bearer ${token}' http://127.0.0.1:8080/v1/operations`,
      '',
    ].join('\n'),
  );
}
