import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The IAM policies in docs/iam/ against what the product really sends: every AWS command the
 * adapters in src/cloud/aws/ import. When an adapter starts sending a new action, this test
 * fails with the line to add and where.
 */

const ROOT = join(__dirname, '..', '..');
const ADAPTERS = join(ROOT, 'src', 'cloud', 'aws');
const IAM_DIR = 'docs/iam';
const OPERATOR = `${IAM_DIR}/lifeboat-operator.json`;
const PLAN = `${IAM_DIR}/lifeboat-plan.json`;
const README = `${IAM_DIR}/README.md`;

/** The IAM service prefix of each SDK client package (@aws-sdk/client-<name>). */
const IAM_PREFIX: Record<string, string> = {
  'auto-scaling': 'autoscaling',
  'route-53': 'route53',
  ec2: 'ec2',
  cloudwatch: 'cloudwatch',
  sts: 'sts',
};

/** Credential providers that call AWS themselves, and the action each needs. */
const CREDENTIAL_PROVIDER_ACTIONS: Record<string, string> = {
  fromTemporaryCredentials: 'sts:AssumeRole',
};

/** Actions a plan-only installation needs although their names do not say "read": reading another account's fleet. */
const NEEDED_FOR_READS = new Set(['sts:AssumeRole']);

interface Sent {
  action: string;
  /** Where it is imported, and as what: `src/cloud/aws/aws-route53.ts (ChangeResourceRecordSetsCommand)`. */
  where: string;
}

function adapterFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? adapterFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The AWS action an imported name sends: `XCommand` and `paginateX` send X. */
function actionOf(importedName: string): string | undefined {
  return /^(\w+)Command$/.exec(importedName)?.[1] ?? /^paginate(\w+)$/.exec(importedName)?.[1];
}

/** Every action the adapters send, from their (value, not type) imports of the SDK's clients and credential providers. */
function actionsSent(): Sent[] {
  const sent: Sent[] = [];
  for (const file of adapterFiles(ADAPTERS)) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    for (const statement of source.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      const bindings = statement.importClause?.namedBindings;
      if (statement.importClause?.isTypeOnly || !bindings || !ts.isNamedImports(bindings)) continue;
      const from = statement.moduleSpecifier.text;
      const client = /^@aws-sdk\/client-(.+)$/.exec(from)?.[1];
      for (const element of bindings.elements) {
        if (element.isTypeOnly) continue;
        const name = (element.propertyName ?? element.name).text;
        const where = `${relative(ROOT, file)} (${name} from ${from})`;
        if (client !== undefined) {
          const action = actionOf(name);
          if (!action) continue;
          const prefix = IAM_PREFIX[client];
          if (!prefix) throw new Error(`${where}: add @aws-sdk/client-${client}'s IAM service prefix to IAM_PREFIX in test/unit/iam-policy.test.ts`);
          sent.push({ action: `${prefix}:${action}`, where });
        } else if (from === '@aws-sdk/credential-providers' && CREDENTIAL_PROVIDER_ACTIONS[name]) {
          sent.push({ action: CREDENTIAL_PROVIDER_ACTIONS[name], where });
        }
      }
    }
  }
  return sent;
}

const isRead = (action: string) => /^[a-z0-9]+:(Describe|List|Get)/.test(action) || NEEDED_FOR_READS.has(action);

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

interface PolicyDocument {
  Version: string;
  Statement: Statement[];
}

const policy = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as PolicyDocument;
const list = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/** Whether an Action entry (IAM wildcards, case-insensitive) covers an action. */
function covers(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return regex.test(action);
}

const allowing = (doc: PolicyDocument, action: string) => doc.Statement.filter((s) => s.Effect === 'Allow' && list(s.Action).some((a) => covers(a, action)));

/** The statement an action belongs in: reads, the tag-limited Auto Scaling writes, the limited Route 53 change, or the service's writes. */
function statementFor(action: string): string {
  const [prefix, name] = action.split(':') as [string, string];
  const service = { autoscaling: 'AutoScaling', route53: 'Route53', ec2: 'Ec2', cloudwatch: 'CloudWatch', sts: 'Sts' }[prefix] ?? prefix;
  if (prefix === 'sts') return 'StsAssumeRoles';
  if (isRead(action)) return `${service}Reads`;
  if (prefix === 'autoscaling') return 'AutoScalingWritesOnLifeboatGroups';
  if (name === 'ChangeResourceRecordSets') return 'Route53ChangeWeightsInManagedZones';
  return `${service}Writes`;
}

/** What to do about an action a policy lacks: the file, the statement, the line. */
function howToAdd(file: string, sent: Sent): string {
  const sid = statementFor(sent.action);
  const exists = policy(file).Statement.some((s) => s.Sid === sid);
  const where = exists ? `to the Action list of its statement "${sid}"` : `in a new statement "${sid}" (Effect Allow, the narrowest Resource and Condition the action supports)`;
  return `${sent.where} sends ${sent.action}: add "${sent.action}" ${where} in ${file}`;
}

describe('IAM policies (docs/iam/)', () => {
  const sent = actionsSent();
  const sentActions = [...new Set(sent.map((s) => s.action))].sort();

  it('finds what the adapters send, writes included', () => {
    expect(sentActions).toEqual(expect.arrayContaining(['autoscaling:DescribeAutoScalingGroups', 'autoscaling:UpdateAutoScalingGroup', 'route53:ChangeResourceRecordSets']));
  });

  it('the operator policy allows every action the adapters send', () => {
    const missing = sent.filter((s, i) => sent.findIndex((t) => t.action === s.action) === i && allowing(policy(OPERATOR), s.action).length === 0);
    const todo = missing.map((s) => howToAdd(OPERATOR, s));
    for (const s of missing) todo.push(`and a row for \`${s.action}\` (what lifeboat uses it for) to the table in ${README}`);
    expect(todo, `\n${todo.join('\n')}\n`).toEqual([]);
  });

  it('the plan policy allows every read the adapters send, and nothing that changes AWS', () => {
    const doc = policy(PLAN);
    const missing = sent.filter((s, i) => isRead(s.action) && sent.findIndex((t) => t.action === s.action) === i && allowing(doc, s.action).length === 0);
    const todo = missing.map((s) => `${howToAdd(PLAN, s)} (it is a read: a plan-only installation needs it too)`);
    const writes = doc.Statement.flatMap((s) => list(s.Action)).filter((a) => !isRead(a) || a.includes('*'));
    for (const w of writes) todo.push(`${PLAN} allows ${w}, which is not a named read: a plan-only installation changes nothing; remove it`);
    expect(todo, `\n${todo.join('\n')}\n`).toEqual([]);
  });

  it('neither policy allows an action that nothing sends (least privilege)', () => {
    const stale = [OPERATOR, PLAN].flatMap((file) =>
      policy(file)
        .Statement.flatMap((s) => list(s.Action).map((a) => ({ a, sid: s.Sid })))
        .filter(({ a }) => !sentActions.some((action) => covers(a, action)))
        .map(({ a, sid }) => `${file} statement "${sid}" allows ${a}, which no adapter in src/cloud/aws sends: remove it (or, if an adapter sends it through something this test does not see, teach actionsSent() about it)`),
    );
    expect(stale, `\n${stale.join('\n')}\n`).toEqual([]);
  });

  it('limits Auto Scaling writes to groups tagged lifeboat:service', () => {
    const writes = policy(OPERATOR).Statement.filter((s) => list(s.Action).some((a) => a.startsWith('autoscaling:') && !isRead(a)));
    expect(writes.length).toBeGreaterThan(0);
    for (const s of writes) {
      const keys = Object.values(s.Condition ?? {}).flatMap((byKey) => Object.keys(byKey));
      expect(keys, `statement "${s.Sid}" must carry a condition on aws:ResourceTag/lifeboat:service`).toContain('aws:ResourceTag/lifeboat:service');
      expect(list(s.Action).filter((a) => a.includes('*')), `statement "${s.Sid}" names its actions`).toEqual([]);
    }
  });

  it('limits Route 53 record changes to UPSERT of the managed record types and names, in named zones', () => {
    const changes = allowing(policy(OPERATOR), 'route53:ChangeResourceRecordSets');
    expect(changes.map((s) => s.Sid)).toEqual(['Route53ChangeWeightsInManagedZones']);
    const s = changes[0]!;
    for (const resource of list(s.Resource)) expect(resource).toMatch(/^arn:aws:route53:::hostedzone\/[A-Z0-9]+$/);
    const equals = s.Condition?.['ForAllValues:StringEquals'] ?? {};
    expect(list(equals['route53:ChangeResourceRecordSetsActions'] ?? [])).toEqual(['UPSERT']);
    const types = list(equals['route53:ChangeResourceRecordSetsRecordTypes'] ?? []);
    expect(types.length).toBeGreaterThan(0);
    for (const t of types) expect(['A', 'AAAA', 'CNAME']).toContain(t);
    const names = s.Condition?.['ForAllValues:StringLike']?.['route53:ChangeResourceRecordSetsNormalizedRecordNames'];
    expect(list(names ?? []).length).toBeGreaterThan(0);
  });

  it('says in docs/iam/README.md what each allowed action is for', () => {
    const readme = readFileSync(join(ROOT, README), 'utf8');
    const rows = new Set([...readme.matchAll(/^\| `([a-z0-9]+:\w+)` \|/gm)].map((m) => m[1]));
    const allowed = [...new Set([OPERATOR, PLAN].flatMap((f) => policy(f).Statement.flatMap((s) => list(s.Action))))];
    const undocumented = allowed.filter((a) => !rows.has(a)).map((a) => `${README}: add a row | \`${a}\` | what lifeboat uses it for |`);
    expect(undocumented, `\n${undocumented.join('\n')}\n`).toEqual([]);
  });

  it('are valid IAM policy documents, as moto’s IAM validator reads them', () => {
    const validate = [
      'import sys',
      'from moto.iam.policy_validation import IAMPolicyDocumentValidator',
      'for path in sys.argv[1:]:',
      '    IAMPolicyDocumentValidator(open(path).read()).validate()',
    ].join('\n');
    const run = spawnSync('python3', ['-c', validate, join(ROOT, OPERATOR), join(ROOT, PLAN)], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
  });
});
