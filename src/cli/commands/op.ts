import { formatTable } from '../../text/table';
import type { OperationView, ViewStep } from '../../operations/operation-views';
import type { CliContext, Command, CommandArgs } from '../command';
import { boolOpt, numberOpt, positionalsOf, stringOpt } from '../command';
import { EXIT } from '../exit-codes';
import { follow, isFinished, reportFinished } from '../follow';
import { timestamp, took } from '../output';
import { STEP_MARKS, outputLines, stepResult } from '../../text/operation-text';
import { targetOf } from './shared';

const opPath = (id: string) => `/v1/operations/${encodeURIComponent(id)}`;

async function getOperation(ctx: CliContext, id: string): Promise<OperationView> {
  return (await ctx.client().get<{ operation: OperationView }>(opPath(id))).body.operation;
}

export const ops: Command = {
  path: ['ops'],
  usage: 'ops [--state s1,s2] [--kind k1,k2] [--limit n]',
  summary: 'recent operations and runs, newest first',
  details: 'States: queued, running, cancelling, succeeded, failed, refused, cancelled.\nKinds: evacuate, shift, restore, scale, runbook.',
  options: {
    state: { type: 'string', value: 's1,s2', help: 'only in these states' },
    kind: { type: 'string', value: 'k1,k2', help: 'only of these kinds' },
    limit: { type: 'string', value: 'n', help: 'at most n (default 50, at most 500)' },
  },
  async run(ctx, args) {
    positionalsOf(args, [], 'ops');
    const limit = numberOpt(args.values, 'limit', 'ops', { integer: true, min: 1 });
    const { body } = await ctx.client().get<{ operations: OperationView[] }>('/v1/operations', {
      query: { state: stringOpt(args.values, 'state'), kind: stringOpt(args.values, 'kind'), limit },
    });
    ctx.out.document(body);
    if (body.operations.length === 0) {
      ctx.out.say('no operations');
      return EXIT.OK;
    }
    const now = Date.now();
    ctx.out.say(
      formatTable(
        ['id', 'kind', 'state', 'target', 'created', 'took', 'actor'],
        body.operations.map((o) => [o.id, o.kind, o.state + (o.awaitingApproval ? ' (awaiting approval)' : ''), targetOf(o), timestamp(o.createdAt), took(o.startedAt, o.finishedAt, now) ?? '-', o.actor]),
        '',
      ),
    );
    return EXIT.OK;
  },
};

const opId = (args: CommandArgs, command: string) => positionalsOf(args, ['id'], command)[0]!;

export const opShow: Command = {
  path: ['op'],
  usage: 'op <id>',
  summary: 'one operation or run in detail',
  details: 'Exits 0 whatever the operation\'s state (use `op <id> wait` to exit by its outcome).',
  options: {},
  async run(ctx, args) {
    const view = await getOperation(ctx, opId(args, 'op'));
    ctx.out.document({ operation: view });
    for (const line of detailLines(view)) ctx.out.say(line);
    return EXIT.OK;
  },
};

export const opApprove: Command = {
  path: ['op', 'approve'],
  usage: 'op <id> approve [--comment text] [--reject]',
  summary: 'approve (or --reject) the approval a run waits at',
  options: {
    comment: { type: 'string', value: 'text', help: 'a comment kept with the decision' },
    reject: { type: 'boolean', help: 'reject instead of approve (the run follows the step\'s onFailure)' },
  },
  async run(ctx, args) {
    const id = opId(args, 'op approve');
    const decision = boolOpt(args.values, 'reject') ? 'reject' : 'approve';
    const comment = stringOpt(args.values, 'comment');
    const { body } = await ctx.client().post<{ operation: OperationView }>(`${opPath(id)}/approve`, { body: { decision, ...(comment !== undefined ? { comment } : {}) } });
    ctx.out.document(body);
    ctx.out.say(`${decision === 'approve' ? 'approved' : 'rejected'} ${id}${comment ? ` (${comment})` : ''}; state ${body.operation.state}`);
    ctx.out.say(`  follow with: npx lifeboat op ${id} wait`);
    return EXIT.OK;
  },
};

export const opCancel: Command = {
  path: ['op', 'cancel'],
  usage: 'op <id> cancel [--rollback]',
  summary: 'stop an operation or run at its next safe point',
  options: {
    rollback: { type: 'boolean', help: 'also put the weights back as they were, then the capacity (a run runs its rollback steps)' },
  },
  async run(ctx, args) {
    const id = opId(args, 'op cancel');
    const rollback = boolOpt(args.values, 'rollback');
    const { body } = await ctx.client().post<{ operation: OperationView }>(`${opPath(id)}/cancel`, { body: rollback ? { rollback } : {} });
    ctx.out.document(body);
    ctx.out.say(`cancellation${rollback ? ' with rollback' : ''} requested for ${id}; state ${body.operation.state}`);
    ctx.out.say(`  follow with: npx lifeboat op ${id} wait`);
    return EXIT.OK;
  },
};

export const opWait: Command = {
  path: ['op', 'wait'],
  usage: 'op <id> wait',
  summary: 'follow it until it finishes; exit 1 if it fails',
  options: {},
  async run(ctx, args) {
    const view = await getOperation(ctx, opId(args, 'op wait'));
    if (!isFinished(view)) {
      ctx.out.notice(`following ${view.id}: ${view.kind} ${targetOf(view)} (Ctrl-C stops following; the ${view.kind === 'runbook' ? 'run' : 'operation'} goes on)`);
    }
    return reportFinished(await follow(ctx.client(), view, { pollMs: ctx.pollMs, out: ctx.out }), ctx.out);
  },
};

/** `op <id>` in human form. */
export function detailLines(view: OperationView, now = Date.now()): string[] {
  const out = [`${view.id}  ${view.kind} ${targetOf(view)}  ${view.state}`];
  const field = (name: string, value: string) => out.push(`  ${name.padEnd(9)} ${value}`);
  field('actor', view.actor);
  field('created', timestamp(view.createdAt));
  if (view.startedAt) field('started', timestamp(view.startedAt));
  if (view.finishedAt) field('finished', `${timestamp(view.finishedAt)} (took ${took(view.startedAt ?? view.createdAt, view.finishedAt) ?? '?'})`);
  else if (view.startedAt) field('running', took(view.startedAt, undefined, now) ?? '?');
  if (view.forced) field('forced', 'yes (blockers were overridden with --force)');
  if (view.cancel) field('cancel', `asked by ${view.cancel.by} at ${timestamp(view.cancel.at)}${view.cancel.rollback ? ', with rollback' : ''}`);
  field('request', requestLine(view.request));
  if (view.progress && !view.finishedAt) field('progress', `${view.progress.step}: ${view.progress.message}`);
  if (view.awaitingApproval) {
    field('approval', `waiting since ${timestamp(view.awaitingApproval.since)}: ${view.awaitingApproval.message}`);
    out.push(`            approve with: npx lifeboat op ${view.id} approve   (or --reject)`);
  }
  if (view.plan) field('plan', `${view.plan.groupChanges.length} group change(s), ${view.plan.stages.length} stage(s)${view.plan.blockers.length ? `; blockers: ${view.plan.blockers.map((b) => b.code).join(', ')}` : ''}`);
  if (view.steps.length) {
    out.push('  steps');
    for (const s of view.steps) out.push(`    ${stepLine(s, now)}`);
  }
  if (view.error) field('error', `${view.error.code}: ${view.error.message}`);
  if (view.result) field('result', view.result.summary);
  const outputs = view.result?.outputs;
  if (outputs && Object.keys(outputs).length) {
    out.push('  outputs', ...outputLines(outputs, '    '));
  }
  return out;
}

function stepLine(s: ViewStep, now: number): string {
  const time = took(s.startedAt, s.finishedAt, now);
  const what = s.state === 'pending' || s.state === 'running' ? s.title : stepResult(s);
  const extra = [s.state === 'running' && time ? `running ${time}` : s.state !== 'skipped' && s.state !== 'pending' && time ? time : '', s.attempts > 1 ? `${s.attempts} attempts` : '', s.stuck ? 'STUCK' : ''].filter(Boolean);
  return `${STEP_MARKS[s.state] ?? '?'} ${s.id}: ${what}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}

function requestLine(request: Record<string, unknown>): string {
  // A run's params read like the command line that could start it: region=us-east-1 stages=1.
  const { params, ...rest } = request;
  const flat = params && typeof params === 'object' && !Array.isArray(params) ? { ...rest, ...(params as Record<string, unknown>) } : request;
  return Object.entries(flat)
    .map(([k, v]) => `${k}=${typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v)}`)
    .join(' ');
}
