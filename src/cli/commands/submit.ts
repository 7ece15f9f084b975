import { dryRunSchema, operationAnswerSchema, planReplySchema } from '../../operations/api-responses';
import { randomUUID } from 'node:crypto';
import { renderPlan } from '../../text/plan-text';
import { forcible } from '../../operations/operation-errors';
import { ApiError, ApiUnreachable } from '../api-client';
import type { CliContext, Command, CommandArgs, OptionSpecs } from '../command';
import { boolOpt, listOpt, numberOpt, pairsOpt, parseNumber, positionalsOf, stringOpt } from '../command';
import type { ExitCode } from '../exit-codes';
import { EXIT, UsageError } from '../exit-codes';
import { follow, reportFinished } from '../follow';
import { describeOperation } from '../../text/request-text';
import { WAIT_OPTION, startedLines } from './shared';

type IntentKind = 'evacuate' | 'shift' | 'restore' | 'scale';

const STAGES: OptionSpecs = {
  stages: { type: 'string', value: 'n|p1,p2,..', help: 'stages: a count (3), or cumulative percentages ending at 100 (25,50,100)' },
};

const MOVE_OPTIONS: OptionSpecs = {
  ...STAGES,
  model: { type: 'string', value: 'name', help: 'capacity model (a file in models/; proportional by default)' },
  'model-param': { type: 'string', multiple: true, value: 'k=v', help: 'a numeric model parameter, e.g. demand=12000 (repeat for more)' },
  service: { type: 'string', multiple: true, value: 'name', help: 'only this service (repeat, or comma-separate, for more); all by default' },
};

/** The options of each intent, as `plan <kind>` and `<kind>` take them. */
const INTENT_OPTIONS: Record<IntentKind, OptionSpecs> = {
  evacuate: {
    ...MOVE_OPTIONS,
    fallback: { type: 'string', value: 'switch', help: 'if Route 53\'s change API fails, take the region out through its switch (lifeboat switches prepare first)' },
    pace: { type: 'string', value: 'capacity|stages', help: 'capacity (default): move what the survivors serve now, the rest as capacity comes in; stages: wait for all of it, then the stages' },
  },
  shift: {
    percent: { type: 'string', value: 'p', help: 'how much of the region\'s traffic to move, 0 < p ≤ 100 (required)' },
    to: { type: 'string', multiple: true, value: 'region', help: 'move it to this region (repeat for more); by default to all others' },
    ...MOVE_OPTIONS,
  },
  restore: {
    ...STAGES,
    'scale-down-survivors': { type: 'boolean', help: 'also return survivors\' DesiredCapacity to what it was, not only MinSize' },
  },
  scale: {
    min: { type: 'string', value: 'n', help: 'also set MinSize' },
    max: { type: 'string', value: 'n', help: 'also set MaxSize' },
  },
};

const INTENT_POSITIONALS: Record<IntentKind, string[]> = {
  evacuate: ['region'],
  shift: ['from'],
  restore: ['region'],
  scale: ['region', 'service', 'desired'],
};

const OPERATION_OPTIONS: OptionSpecs = {
  force: { type: 'boolean', help: 'go on even when survivors cannot reach the capacity they need (recorded on the operation)' },
  'dry-run': { type: 'boolean', help: 'show the plan the API would carry out, change nothing; exits 1 if it would be refused' },
  reason: { type: 'string', value: 'text', help: 'why, kept with the operation for the audit trail' },
  'idempotency-key': { type: 'string', value: 'key', help: 'reuse this key (from an earlier attempt) so a retry does not start a second operation' },
  ...WAIT_OPTION,
};

/** The intent the API takes, from a command line: `evacuate us-east-1 --stages 2` → {kind, region, stages}. */
function intentOf(kind: IntentKind, args: CommandArgs, command: string): Record<string, unknown> {
  const positionals = positionalsOf(args, INTENT_POSITIONALS[kind], command);
  const v = args.values;
  const intent: Record<string, unknown> = { kind };
  const stages = stringOpt(v, 'stages');
  if (stages !== undefined) {
    const parts = stages.split(',').map((p) => parseNumber(p, '--stages', command));
    intent.stages = parts.length === 1 && !stages.includes(',') ? parts[0] : parts;
  }
  if (kind === 'evacuate' || kind === 'shift') {
    const model = stringOpt(v, 'model');
    if (model !== undefined) intent.model = model;
    const params = pairsOpt(v, 'model-param', command);
    if (Object.keys(params).length) intent.parameters = Object.fromEntries(Object.entries(params).map(([k, x]) => [k, parseNumber(x, `--model-param ${k}`, command)]));
    const services = listOpt(v, 'service');
    if (services) intent.services = services;
  }
  const pace = kind === 'evacuate' ? stringOpt(v, 'pace') : undefined;
  if (pace !== undefined) intent.pace = pace;
  switch (kind) {
    case 'evacuate':
    case 'restore':
      intent.region = positionals[0];
      if (stringOpt(v, 'fallback') !== undefined) intent.fallback = stringOpt(v, 'fallback');
      if (boolOpt(v, 'scale-down-survivors')) intent.scaleDownSurvivors = true;
      break;
    case 'shift': {
      intent.from = positionals[0];
      const percent = numberOpt(v, 'percent', command);
      if (percent === undefined) throw new UsageError('--percent is required', command);
      intent.percent = percent;
      const to = listOpt(v, 'to');
      if (to) intent.to = to.length === 1 ? to[0] : to;
      break;
    }
    case 'scale': {
      intent.region = positionals[0];
      intent.service = positionals[1];
      intent.desiredCapacity = parseNumber(positionals[2]!, '<desired>', command, { integer: true, min: 0 });
      const min = numberOpt(v, 'min', command, { integer: true, min: 0 });
      const max = numberOpt(v, 'max', command, { integer: true, min: 0 });
      if (min !== undefined) intent.minSize = min;
      if (max !== undefined) intent.maxSize = max;
      break;
    }
  }
  return intent;
}

/** POST /v1/operations with an Idempotency-Key (the plan with --dry-run); print the id and state, or follow it with --wait. Every command that starts an operation submits through it. */
export async function submit(ctx: CliContext, args: CommandArgs, intent: Record<string, unknown>): Promise<ExitCode> {
  const v = args.values;
  const body: Record<string, unknown> = { ...intent };
  if (boolOpt(v, 'force')) body.force = true;
  const reason = stringOpt(v, 'reason');
  if (reason !== undefined) body.reason = reason;
  const client = ctx.client();

  if (boolOpt(v, 'dry-run')) {
    const { body: dry } = await client.post('/v1/operations', dryRunSchema, { body: { ...body, dryRun: true } });
    ctx.out.document(dry);
    if (!ctx.out.json) ctx.out.text(renderPlan(dry.plan));
    return dry.plan.blockers.length > 0 && !(body.force && forcible(dry.plan)) ? EXIT.FAILED : EXIT.OK;
  }

  const given = stringOpt(v, 'idempotency-key');
  const key = given ?? `cli-${randomUUID()}`;
  let res;
  try {
    res = await client.post('/v1/operations', operationAnswerSchema, { body, headers: { 'idempotency-key': key } });
  } catch (e) {
    // The request may have got through: the same key makes a retry safe.
    if (e instanceof ApiUnreachable || (e instanceof ApiError && e.status >= 500)) e.retryHint = `To retry without risking a second operation, add --idempotency-key ${key}`;
    throw e;
  }
  const replayed = res.headers.get('idempotent-replayed') === 'true';
  const op = res.body.operation;
  if (!boolOpt(v, 'wait')) {
    ctx.out.document({ ...res.body, idempotencyKey: key, replayed });
    for (const line of startedLines(op, replayed ? 'already submitted (same Idempotency-Key)' : 'submitted')) ctx.out.say(line);
    ctx.out.say(`  Idempotency-Key: ${key}`);
    return EXIT.OK;
  }
  ctx.out.notice(`${replayed ? 'already submitted (same Idempotency-Key)' : 'submitted'} ${op.id}: ${describeOperation(op)} — following it (Ctrl-C stops following; the operation goes on)`);
  return reportFinished(await follow(client, op, { pollMs: ctx.pollMs, out: ctx.out }), ctx.out);
}

function operationCommand(kind: IntentKind, usage: string, summary: string, details?: string): Command {
  return {
    path: [kind],
    usage,
    summary,
    ...(details ? { details } : {}),
    options: { ...INTENT_OPTIONS[kind], ...OPERATION_OPTIONS },
    startsWork: true,
    run: (ctx, args) => submit(ctx, args, intentOf(kind, args, kind)),
  };
}

const SUBMIT_DETAILS =
  'Prints the operation id and state; --wait follows it step by step. A refusal (409: region not\n' +
  'evacuated, region locked, shortfall…) exits 1 with the code on stderr.';

export const evacuate = operationCommand(
  'evacuate',
  'evacuate <region> [--pace capacity|stages] [--stages n] [--model m] [--service s ...] [--fallback switch] [--force] [--dry-run] [--reason text] [--wait]',
  'move all traffic off a region (as fast as the survivors\' capacity allows, or in stages after pre-scaling)',
  SUBMIT_DETAILS,
);
export const restore = operationCommand('restore', 'restore <region> [--stages n] [--scale-down-survivors] [--wait]', 'bring an evacuated region back', SUBMIT_DETAILS);
export const shift = operationCommand('shift', 'shift <from> --percent p [--to region ...] [--stages n] [--wait]', 'move part of a region\'s traffic elsewhere', SUBMIT_DETAILS);
export const scale = operationCommand('scale', 'scale <region> <service> <desired> [--min n] [--max n] [--wait]', 'set a service\'s instances in a region', SUBMIT_DETAILS);

const PLAN_KINDS = Object.keys(INTENT_OPTIONS) as IntentKind[];
const PLAN_OPTIONS = Object.assign({}, ...PLAN_KINDS.map((k) => INTENT_OPTIONS[k])) as OptionSpecs;

export const plan: Command = {
  path: ['plan'],
  usage: 'plan <evacuate|shift|restore|scale> <args> [options]',
  summary: 'what an operation would do; changes nothing',
  details:
    'Examples: lifeboat plan evacuate us-east-1 --stages 2\n' +
    '          lifeboat plan shift us-west-2 --percent 50 --to eu-west-1\n' +
    'Exits 0 whenever the API made a plan, blocked or not: the verdict is in the text, and in\n' +
    '.plan.blockers with --json. (`<command> --dry-run` exits 1 when the plan would be refused.)',
  options: PLAN_OPTIONS,
  async run(ctx, args) {
    const [kind, ...rest] = args.positionals;
    if (!kind) throw new UsageError(`missing the kind of operation: ${PLAN_KINDS.join(', ')}`, 'plan');
    if (!PLAN_KINDS.includes(kind as IntentKind)) throw new UsageError(`cannot plan "${kind}": use one of ${PLAN_KINDS.join(', ')}`, 'plan');
    const allowed = INTENT_OPTIONS[kind as IntentKind];
    for (const [name, value] of Object.entries(args.values)) {
      if (value !== undefined && name in PLAN_OPTIONS && !(name in allowed)) throw new UsageError(`--${name} does not apply to plan ${kind}`, 'plan');
    }
    const intent = intentOf(kind as IntentKind, { positionals: rest, values: args.values }, 'plan');
    if (ctx.out.json) {
      ctx.out.document((await ctx.client().post('/v1/plans', planReplySchema, { body: intent })).body);
    } else {
      ctx.out.text((await ctx.client().text('POST', '/v1/plans', { body: intent })).body);
    }
    return EXIT.OK;
  },
};
