import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replIdentity } from '../../repl/repl-actor';
import { createReplContext } from '../../repl/repl-context';
import { loadTokens } from '../../src/app/loaders/load-tokens';
import { DryRunCloud } from '../../src/cloud/dry-run/dry-run-cloud';
import { getOperation } from '../../src/operations/activity';
import type { OperationView } from '../../src/operations/operation-views';
import { packageRoot } from '../../src/operations/package-root';
import { hashToken } from '../../src/operations/tokens';
import { approveRun } from '../../src/runbooks/approve-run';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import { apiInThreeRegions, fleetReading } from '../support/fleet-fixture';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';

/**
 * The two-person rule compares people, not actor strings (issue 17, item 3): api:oscar and
 * repl:Oscar are one person, the token loader refuses names that differ only in case, and
 * the REPL acts as the owner of a configured token, with that token's roles, instead of
 * whoever LIFEBOAT_USER says.
 */

const T = { oscar: 'lbt_oscar-token-000000000000000', viewer: 'lbt_viewer-token-00000000000000', ada: 'lbt_ada-token-00000000000000000' };
const TOKENS = [
  { name: 'oscar', sha256: hashToken(T.oscar), roles: ['operator', 'approver'] },
  { name: 'viewer', sha256: hashToken(T.viewer), roles: ['viewer'] },
  { name: 'ada', sha256: hashToken(T.ada), roles: ['approver'] },
];

let dir: string;
let lb: TestLifeboat;
let api: TestApi;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lifeboat-identities-'));
  writeFileSync(join(dir, 'gate.yaml'), 'name: gate\ndescription: waits for a second person\nsteps:\n  - id: gate\n    action: approve\n    timeoutSeconds: 120\n    inputs: { message: "go?" }\n');
  writeFileSync(join(dir, 'gate-parent.yaml'), 'name: gate-parent\ndescription: runs gate as a child\nsteps:\n  - id: child\n    action: runbook\n    timeoutSeconds: 120\n    inputs: { name: gate }\n');
  lb = testLifeboat(new DryRunCloud(fleetReading(apiInThreeRegions())), {
    LIFEBOAT_TWO_PERSON_RULE: 'true',
    LIFEBOAT_RUNBOOK_POLL_MS: '50',
    LIFEBOAT_RUNBOOKS_DIR: dir,
    LIFEBOAT_TOKENS: JSON.stringify(TOKENS),
  });
  lb.startWorker();
  api = await startApi(lb);
});
afterAll(async () => {
  await api.close();
  await lb.close();
  rmSync(dir, { recursive: true, force: true });
});

async function pausedRun(runbook: string, token: string): Promise<string> {
  const started = await api.call('POST', `/v1/runbooks/${runbook}/runs`, { body: { params: {} }, headers: { authorization: `Bearer ${token}` } });
  expect(started.status, started.text).toBe(202);
  return waitForApproval(started.body.operation.id as string);
}

/** The id of the run (this one, or its child) that is waiting for an approval. */
async function waitForApproval(id: string): Promise<string> {
  for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 25))) {
    const all = [await getOperation(id, lb.deps), ...(await lb.deps.runs.list()).filter((r) => r.data.parentRunId === id).map((r) => ({ id: r.data.id, awaitingApproval: r.data.checkpoint.awaitingApproval }))];
    const waiting = all.find((v) => (v as OperationView).awaitingApproval);
    if (waiting) return waiting.id;
  }
  throw new Error(`no approval reached under ${id}`);
}

describe('the token loader', () => {
  it('refuses two names that differ only in case, and one token under two names', () => {
    const oscar = { name: 'oscar', sha256: hashToken(T.oscar), roles: ['approver'] };
    expect(() => loadTokens(JSON.stringify([oscar, { name: 'Oscar', sha256: hashToken('lbt_another-token-000000000'), roles: ['approver'] }]), undefined)).toThrow(/tokens oscar and Oscar differ only in case/);
    expect(() => loadTokens(JSON.stringify([oscar, { name: 'oscar2', sha256: oscar.sha256, roles: ['viewer'] }]), undefined)).toThrow(/tokens oscar and oscar2 are the same token/);
    expect(loadTokens(JSON.stringify(TOKENS), undefined).map((t) => t.name)).toEqual(['oscar', 'viewer', 'ada']);
  });
});

describe('the two-person rule', () => {
  it('refuses oscar approving through the REPL a run he started through the API', async () => {
    const id = await pausedRun('gate', T.oscar);
    const ctx = createReplContext(lb, { identity: replIdentity({ LIFEBOAT_TOKEN: T.oscar }, lb.auth), out: () => undefined });
    await expect(ctx.approve(id)).rejects.toMatchObject({ code: 'LB_ERR_APPROVAL_SAME_ACTOR' });
    // Nor under another spelling of his name.
    await expect(approveRun(id, { by: 'repl:OSCAR' }, lb.deps)).rejects.toMatchObject({ code: 'LB_ERR_APPROVAL_SAME_ACTOR', details: { startedBy: 'api:oscar' } });
    expect((await getOperation(id, lb.deps)).awaitingApproval).toBeDefined();
    // Someone else may.
    const ada = createReplContext(lb, { identity: replIdentity({ LIFEBOAT_TOKEN: T.ada }, lb.auth), out: () => undefined });
    await ada.approve(id, { comment: 'second pair of eyes' });
    expect((await lb.waitFor(id)).steps[0]!.outcome).toBe('approved by repl:ada: second pair of eyes');
  });

  it('refuses the person who started a parent run approving its child', async () => {
    const childId = await pausedRun('gate-parent', T.oscar);
    const child = await getOperation(childId, lb.deps);
    expect(child.actor).toBe('runbook:gate-parent');
    const approve = await api.call('POST', `/v1/operations/${childId}/approve`, { body: {}, headers: { authorization: `Bearer ${T.oscar}` } });
    expect(approve.status).toBe(403);
    expect(approve.body.error).toMatchObject({ code: 'LB_ERR_APPROVAL_SAME_ACTOR', details: { startedBy: 'api:oscar' } });
    expect((await api.call('POST', `/v1/operations/${childId}/approve`, { body: {}, headers: { authorization: `Bearer ${T.ada}` } })).status).toBe(200);
  });
});

describe('the REPL acts as a token owner', () => {
  it('refuses to act without a configured token, whatever LIFEBOAT_USER says', () => {
    expect(() => replIdentity({ LIFEBOAT_USER: 'oscar' }, lb.auth)).toThrow(expect.objectContaining({ code: 'LB_ERR_UNAUTHENTICATED', message: expect.stringContaining('export LIFEBOAT_TOKEN') }));
    expect(() => replIdentity({ LIFEBOAT_TOKEN: 'lbt_made-up-token-0000000000' }, lb.auth)).toThrow(expect.objectContaining({ code: 'LB_ERR_UNAUTHENTICATED' }));
    expect(replIdentity({ LIFEBOAT_USER: 'someone-else', LIFEBOAT_TOKEN: T.oscar }, lb.auth)).toEqual({ name: 'oscar', roles: ['operator', 'approver'] });
  });

  it('checks the role each command needs, as the API does: a viewer can look, not approve, change or cancel', async () => {
    const id = await pausedRun('gate', T.oscar);
    const viewer = createReplContext(lb, { identity: replIdentity({ LIFEBOAT_TOKEN: T.viewer }, lb.auth), out: () => undefined });
    expect((await viewer.op(id)).id).toBe(id);
    await expect(viewer.approve(id)).rejects.toMatchObject({ code: 'LB_ERR_FORBIDDEN', details: { needed: 'approver' } });
    await expect(viewer.evacuate('us-east-1')).rejects.toMatchObject({ code: 'LB_ERR_FORBIDDEN', details: { needed: 'operator' } });
    await expect(viewer.plan({ kind: 'evacuate', region: 'us-east-1' })).rejects.toMatchObject({ code: 'LB_ERR_FORBIDDEN' });
    await expect(viewer.cancel(id)).rejects.toMatchObject({ code: 'LB_ERR_FORBIDDEN', details: { needed: 'operator' } });
    expect((await getOperation(id, lb.deps)).state).toBe('running');
    await api.call('POST', `/v1/operations/${id}/cancel`, { body: {} });
  });

  it('npm run repl with LIFEBOAT_USER=oscar and no token refuses to start, and approves nothing', async () => {
    const id = await pausedRun('gate', T.oscar);
    const s = lb.deps.settings;
    const child = spawn(process.execPath, [join(packageRoot(), 'node_modules', 'ts-node', 'dist', 'bin.js'), '--transpile-only', 'src/app/repl-main.ts'], {
      cwd: packageRoot(),
      env: { PATH: process.env.PATH, HOME: dir, REDIS_URL: s.REDIS_URL, LIFEBOAT_REDIS_PREFIX: s.LIFEBOAT_REDIS_PREFIX, LIFEBOAT_TOKENS: JSON.stringify(TOKENS), LIFEBOAT_USER: 'oscar', LIFEBOAT_REPL_HISTORY: join(dir, 'history'), LOG_LEVEL: 'silent', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.stdin.end(`await approve('${id}')\n.exit\n`);
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code, output).toBe(1);
    expect(output).toContain('LB_ERR_UNAUTHENTICATED');
    expect(output).toContain('export LIFEBOAT_TOKEN');
    expect((await getOperation(id, lb.deps)).awaitingApproval).toBeDefined();
    await api.call('POST', `/v1/operations/${id}/cancel`, { body: {} });
  }, 60_000);
});
