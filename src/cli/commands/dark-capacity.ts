import { readinessSchema } from '../../operations/api-responses';
import { darkCapacityLines } from '../../text/warm-pool-text';
import type { Command, CommandArgs, OptionSpecs } from '../command';
import { boolOpt, listOpt, pairsOpt, parseNumber, positionalsOf, stringOpt } from '../command';
import { EXIT } from '../exit-codes';
import { submit } from './submit';
import { WAIT_OPTION } from './shared';

/**
 * Warm pools as dark capacity: `lifeboat dark-capacity` shows how much of each survivor's
 * growth its warm pools cover (GET /v1/readiness carries it per region that could be lost);
 * `dark-capacity prepare` and `dark-capacity release` submit the same operations as the REPL
 * and the runbook (prepare-dark-capacity, release-dark-capacity) through POST /v1/operations.
 */

export const darkCapacity: Command = {
  path: ['dark-capacity'],
  usage: 'dark-capacity [--refresh]',
  summary: 'how much of each survivor\'s growth its warm pools cover, per region that could be lost',
  details:
    'Read from the N+1 readiness report (GET /v1/readiness; .readiness.regions[].warmCoverage with --json).\n' +
    'Exits 0 when the API answered, pools or not. Subcommands: dark-capacity prepare, dark-capacity release.',
  options: {
    refresh: { type: 'boolean', help: 'recompute now instead of showing the latest scheduled report' },
  },
  async run(ctx, args) {
    positionalsOf(args, [], 'dark-capacity');
    const { body } = await ctx.client().get('/v1/readiness', readinessSchema, { query: { refresh: boolOpt(args.values, 'refresh') ? 'true' : undefined } });
    ctx.out.document(body);
    for (const line of darkCapacityLines(body.readiness, body.intervalSeconds, '--refresh')) ctx.out.say(line);
    return EXIT.OK;
  },
};

const SUBMIT_OPTIONS: OptionSpecs = {
  service: { type: 'string', multiple: true, value: 'name', help: 'only this service (repeat, or comma-separate, for more); all by default' },
  'dry-run': { type: 'boolean', help: 'show the plan (the pools it would set or delete), change nothing; exits 1 if it would be refused' },
  reason: { type: 'string', value: 'text', help: 'why, kept with the operation for the audit trail' },
  'idempotency-key': { type: 'string', value: 'key', help: 'reuse this key (from an earlier attempt) so a retry does not start a second operation' },
  ...WAIT_OPTION,
};

const SUBMIT_DETAILS =
  'Run it with --dry-run first to see the pools; prints the operation id and state, --wait follows it.\n' +
  'A refusal (409: nothing to do, region locked) exits 1 with the code on stderr.';

function servicesOf(args: CommandArgs): Record<string, unknown> {
  const services = listOpt(args.values, 'service');
  return services ? { services } : {};
}

export const darkCapacityPrepare: Command = {
  path: ['dark-capacity', 'prepare'],
  usage: 'dark-capacity prepare [--service s ...] [--pool-state Stopped|Running|Hibernated] [--model m] [--dry-run] [--reason text] [--wait]',
  summary: 'size warm pools so every region could absorb the loss of its largest neighbour',
  details: SUBMIT_DETAILS,
  options: {
    'pool-state': { type: 'string', value: 'Stopped|Running|Hibernated', help: 'the warm instances\' state while they wait (Stopped by default, the cheapest)' },
    model: { type: 'string', value: 'name', help: 'capacity model the growth is sized with (a file in models/; proportional by default)' },
    'model-param': { type: 'string', multiple: true, value: 'k=v', help: 'a numeric model parameter, e.g. demand=12000 (repeat for more)' },
    ...SUBMIT_OPTIONS,
  },
  startsWork: true,
  async run(ctx, args) {
    const command = 'dark-capacity prepare';
    positionalsOf(args, [], command);
    const intent: Record<string, unknown> = { kind: 'prepare-dark-capacity', ...servicesOf(args) };
    const poolState = stringOpt(args.values, 'pool-state');
    if (poolState !== undefined) intent.poolState = poolState;
    const model = stringOpt(args.values, 'model');
    if (model !== undefined) intent.model = model;
    const params = pairsOpt(args.values, 'model-param', command);
    if (Object.keys(params).length) intent.parameters = Object.fromEntries(Object.entries(params).map(([k, x]) => [k, parseNumber(x, `--model-param ${k}`, command)]));
    return await submit(ctx, args, intent);
  },
};

export const darkCapacityRelease: Command = {
  path: ['dark-capacity', 'release'],
  usage: 'dark-capacity release [--service s ...] [--dry-run] [--reason text] [--wait]',
  summary: 'delete the warm pools lifeboat created (pools made by others are never touched)',
  details: SUBMIT_DETAILS,
  options: SUBMIT_OPTIONS,
  startsWork: true,
  async run(ctx, args) {
    positionalsOf(args, [], 'dark-capacity release');
    return await submit(ctx, args, { kind: 'release-dark-capacity', ...servicesOf(args) });
  },
};
