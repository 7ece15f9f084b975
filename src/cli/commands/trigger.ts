import { operationAnswerSchema } from '../../operations/api-responses';
import { signedTriggerRequest } from '../../operations/trigger-signature';
import type { Command } from '../command';
import { boolOpt, pairsOpt, stringOpt } from '../command';
import { EXIT, UsageError } from '../exit-codes';
import { startedLines } from './shared';

/**
 * `runbook trigger <name>`: what an alarm webhook does, from a terminal or a script: sign
 * the request with LIFEBOAT_TRIGGER_SECRET (method, path, timestamp, a new trigger id, the
 * body: src/operations/trigger-signature.ts) and POST it. --print shows the signed request
 * instead, for a curl or another sender. The secret is read from the environment only, so
 * it stays out of the process list and the shell history.
 */
export const runbookTrigger: Command = {
  path: ['runbook', 'trigger'],
  usage: 'runbook trigger <name> [--param k=v ...] [--source <name>] [--print]',
  summary: 'start a run as a signed alarm webhook would (needs LIFEBOAT_TRIGGER_SECRET)',
  details:
    'Signs "POST\\n/v1/runbooks/<name>/trigger\\n<timestamp>\\n<trigger id>\\n<body>" with HMAC-SHA256 and\n' +
    'LIFEBOAT_TRIGGER_SECRET (read from the environment), with a new trigger id, and sends it. No token is needed.\n' +
    '--print prints the headers and the body instead of sending them (a signed request is good for\n' +
    'LIFEBOAT_TRIGGER_MAX_AGE seconds, once).',
  options: {
    param: { type: 'string', multiple: true, short: 'p', value: 'k=v', help: 'a runbook parameter (repeat for more)' },
    source: { type: 'string', value: 'name', help: 'who triggers (X-Lifeboat-Trigger; the run is recorded as trigger:<name>)' },
    print: { type: 'boolean', help: 'print the signed request (a curl command) instead of sending it' },
  },
  startsWork: true,
  async run(ctx, args) {
    const [name, ...extra] = args.positionals;
    if (!name) throw new UsageError('missing <name> (lifeboat runbook list shows them)', 'runbook trigger');
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}" (parameters go as --param k=v)`, 'runbook trigger');
    const secret = ctx.env.LIFEBOAT_TRIGGER_SECRET;
    if (!secret) throw new UsageError('LIFEBOAT_TRIGGER_SECRET is not set: export the trigger secret the API was started with', 'runbook trigger');
    const params = pairsOpt(args.values, 'param', 'runbook trigger');
    const source = stringOpt(args.values, 'source');
    const signed = signedTriggerRequest(secret, name, JSON.stringify({ params }), Date.now());
    const headers = { ...signed.headers, ...(source ? { 'x-lifeboat-trigger': source } : {}) };
    if (boolOpt(args.values, 'print')) {
      const url = `${ctx.client().baseUrl}${signed.path}`;
      ctx.out.document({ method: 'POST', url, headers, body: signed.body });
      ctx.out.say(['curl -sS -X POST', ...Object.entries(headers).map(([k, v]) => `-H '${k}: ${v}'`), `--data-raw '${signed.body.replace(/'/g, `'\\''`)}'`, `'${url}'`].join(' \\\n  '));
      return EXIT.OK;
    }
    const { body } = await ctx.client().request('POST', signed.path, operationAnswerSchema, { raw: signed.body, headers });
    ctx.out.document(body);
    for (const line of startedLines(body.operation, 'triggered')) ctx.out.say(line);
    return EXIT.OK;
  },
};
