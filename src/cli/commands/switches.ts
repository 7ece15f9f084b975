import { randomUUID } from 'node:crypto';
import { dryRunSchema, operationAnswerSchema, switchesSchema } from '../../operations/api-responses';
import { renderPlan } from '../../text/plan-text';
import { switchesTable } from '../../text/switch-text';
import { describeOperation } from '../../text/request-text';
import type { Command } from '../command';
import { boolOpt, listOpt, positionalsOf, stringOpt } from '../command';
import { EXIT } from '../exit-codes';
import { follow, reportFinished } from '../follow';
import { WAIT_OPTION, startedLines } from './shared';

/** `lifeboat switches`: GET /v1/switches as a table. */
export const switches: Command = {
  path: ['switches'],
  usage: 'switches',
  summary: 'each region\'s switch: alarm, state, health check, records missing it',
  details: 'Exits 0 when the API answered, prepared or not: the verdict is in the text, and in .switches[].prepared with --json.',
  options: {},
  async run(ctx, args) {
    positionalsOf(args, [], 'switches');
    const { body } = await ctx.client().get('/v1/switches', switchesSchema);
    ctx.out.document(body);
    ctx.out.say(`control regions: ${body.controlRegions.join(', ')}; ${body.pendingChanges} change(s) to prepare (lifeboat switches prepare)`);
    ctx.out.say();
    ctx.out.say(switchesTable(body.switches));
    for (const s of body.switches.filter((x) => x.problems.length)) ctx.out.say(`  ${s.region}: ${s.problems.join('; ')}`);
    for (const p of body.problems) ctx.out.say(`  ${p.code}: ${p.message}`);
    return EXIT.OK;
  },
};

/** `lifeboat switches prepare`: POST /v1/switches/prepare (the plan with --dry-run), with an Idempotency-Key. */
export const switchesPrepare: Command = {
  path: ['switches', 'prepare'],
  usage: 'switches prepare [--region r ...] [--dry-run] [--reason text] [--wait]',
  summary: 'create or repair the region switches (alarms, health checks, records)',
  details: 'Run it with --dry-run first to see the changes; a refusal (409: nothing to do, region locked) exits 1.',
  options: {
    region: { type: 'string', multiple: true, value: 'region', help: 'only this region\'s switch (repeat for more); all by default' },
    'dry-run': { type: 'boolean', help: 'show the plan, change nothing; exits 1 if it would be refused' },
    reason: { type: 'string', value: 'text', help: 'why, kept with the operation for the audit trail' },
    'idempotency-key': { type: 'string', value: 'key', help: 'reuse this key so a retry does not start a second operation' },
    ...WAIT_OPTION,
  },
  startsWork: true,
  async run(ctx, args) {
    positionalsOf(args, [], 'switches prepare');
    const v = args.values;
    const regions = listOpt(v, 'region');
    const reason = stringOpt(v, 'reason');
    const body = { ...(regions ? { regions } : {}), ...(reason !== undefined ? { reason } : {}) };
    const client = ctx.client();
    if (boolOpt(v, 'dry-run')) {
      const { body: dry } = await client.post('/v1/switches/prepare', dryRunSchema, { body: { ...body, dryRun: true } });
      ctx.out.document(dry);
      if (!ctx.out.json) ctx.out.text(renderPlan(dry.plan));
      return dry.plan.blockers.length > 0 ? EXIT.FAILED : EXIT.OK;
    }
    const key = stringOpt(v, 'idempotency-key') ?? `cli-${randomUUID()}`;
    const res = await client.post('/v1/switches/prepare', operationAnswerSchema, { body, headers: { 'idempotency-key': key } });
    const op = res.body.operation;
    if (!boolOpt(v, 'wait')) {
      ctx.out.document({ ...res.body, idempotencyKey: key });
      for (const line of startedLines(op, 'submitted')) ctx.out.say(line);
      return EXIT.OK;
    }
    ctx.out.notice(`submitted ${op.id}: ${describeOperation(op)} — following it`);
    return reportFinished(await follow(client, op, { pollMs: ctx.pollMs, out: ctx.out }), ctx.out);
  },
};
