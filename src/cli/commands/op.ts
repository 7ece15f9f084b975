import { operationAnswerSchema, operationListSchema, operationOneSchema } from '../../operations/api-responses';
import type { OperationView } from '../../operations/operation-views';
import { operationDetailLines, operationHeadline, operationsTable } from '../../text/operation-text';
import { describeOperation } from '../../text/request-text';
import type { CliContext, Command, CommandArgs } from '../command';
import { boolOpt, numberOpt, positionalsOf, stringOpt } from '../command';
import { EXIT, UsageError } from '../exit-codes';
import { cliApproveCommand, follow, isFinished, reportFinished } from '../follow';

const opPath = (id: string) => `/v1/operations/${encodeURIComponent(id)}`;

async function getOperation(ctx: CliContext, id: string): Promise<OperationView> {
  return (await ctx.client().get(opPath(id), operationOneSchema)).body.operation;
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
    const { body } = await ctx.client().get('/v1/operations', operationListSchema, {
      query: { state: stringOpt(args.values, 'state'), kind: stringOpt(args.values, 'kind'), limit },
    });
    ctx.out.document(body);
    if (body.operations.length === 0) {
      ctx.out.say('no operations');
      return EXIT.OK;
    }
    ctx.out.say(operationsTable(body.operations, Date.now()));
    return EXIT.OK;
  },
};

/** The operation id, which must not be blank (`op "" wait` would ask the API for the list instead). */
function opId(args: CommandArgs, command: string): string {
  const id = positionalsOf(args, ['id'], command)[0]!;
  if (id.trim() === '') throw new UsageError('the operation id is empty: give the id of an operation or run (npx lifeboat ops lists them)', command);
  return id;
}

export const opShow: Command = {
  path: ['op'],
  usage: 'op <id>',
  summary: 'one operation or run in detail',
  details: 'Exits 0 whatever the operation\'s state (use `op <id> wait` to exit by its outcome).',
  options: {},
  async run(ctx, args) {
    const view = await getOperation(ctx, opId(args, 'op'));
    ctx.out.document({ operation: view });
    for (const line of [operationHeadline(view), ...operationDetailLines(view, Date.now(), cliApproveCommand)]) ctx.out.say(line);
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
    const { body } = await ctx.client().post(`${opPath(id)}/approve`, operationAnswerSchema, { body: { decision, ...(comment !== undefined ? { comment } : {}) } });
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
    const { body } = await ctx.client().post(`${opPath(id)}/cancel`, operationAnswerSchema, { body: rollback ? { rollback } : {} });
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
      ctx.out.notice(`following ${view.id}: ${describeOperation(view)} (Ctrl-C stops following; the ${view.kind === 'runbook' ? 'run' : 'operation'} goes on)`);
    }
    return reportFinished(await follow(ctx.client(), view, { pollMs: ctx.pollMs, out: ctx.out }), ctx.out);
  },
};
