import { operationAnswerSchema, runbookListSchema } from '../../operations/api-responses';
import { readFileSync } from 'node:fs';
import type * as RunbookParsing from '../../core/runbooks/parse-runbook';
import { formatTable } from '../../text/table';
import type { Command } from '../command';
import { boolOpt, pairsOpt } from '../command';
import { EXIT, UsageError } from '../exit-codes';
import { follow, reportFinished } from '../follow';
import { errorShapeOf } from '../output';
import type { ErrorShape } from '../output';
import { WAIT_OPTION, startedLines } from './shared';

export const runbookList: Command = {
  path: ['runbook', 'list'],
  usage: 'runbook list',
  summary: 'runbooks with their parameters (type, default, required)',
  options: {},
  async run(ctx) {
    const { body } = await ctx.client().get('/v1/runbooks', runbookListSchema);
    ctx.out.document(body);
    if (body.runbooks.length === 0) ctx.out.say('no runbooks');
    body.runbooks.forEach((r, i) => {
      if (i > 0) ctx.out.say();
      ctx.out.say(`${r.name} — ${oneLine(r.description)}`);
      ctx.out.say(`  steps: ${r.steps.map((s) => s.id).join(' → ')}`);
      const params = Object.entries(r.parameters);
      if (params.length === 0) {
        ctx.out.say('  parameters: none');
      } else {
        ctx.out.say('  parameters:');
        ctx.out.say(
          formatTable(
            ['name', 'type', 'required / default', 'allowed', 'description'],
            params.map(([name, p]) => [name, p.type, p.required ? 'required' : p.default !== undefined ? `default ${JSON.stringify(p.default)}` : 'optional', p.allowed?.join(', ') ?? '', oneLine(p.description ?? '')]),
            '    ',
          ),
        );
      }
      const required = params.filter(([, p]) => p.required).map(([name, p]) => ` --param ${name}=<${p.type}>`);
      ctx.out.say(`  run: npx lifeboat runbook run ${r.name}${required.join('')} --wait`);
    });
    return EXIT.OK;
  },
};

interface Validation {
  file: string;
  ok: boolean;
  runbook?: string;
  error?: ErrorShape;
}

export const runbookValidate: Command = {
  path: ['runbook', 'validate'],
  usage: 'runbook validate <files...>',
  summary: 'check runbook files locally, without the API',
  details: 'Prints `ok <file>`, or the problem as <file>:<line>: <field>: <reason>.\nExits 1 when any file is invalid (or cannot be read), 0 when all are valid.',
  options: {},
  async run(ctx, args) {
    if (args.positionals.length === 0) throw new UsageError('name at least one runbook file', 'runbook validate');
    const results = args.positionals.map(validateFile);
    ctx.out.document({ valid: results.every((r) => r.ok), results });
    for (const r of results) ctx.out.say(r.ok ? `ok ${r.file}` : `${r.error!.message}`);
    const bad = results.filter((r) => !r.ok).length;
    if (bad > 0 && results.length > 1) ctx.out.say(`${bad} of ${results.length} runbooks are invalid`);
    return bad > 0 ? EXIT.FAILED : EXIT.OK;
  },
};

/**
 * The runbook parser, loaded on first use: it brings yaml and zod (some 60 ms at start),
 * which no other command needs. require, not import(): the CLI is CommonJS whether it runs
 * compiled or through ts-node, and import() would bypass ts-node's loader.
 */
function runbookParsing(): typeof RunbookParsing {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the lazy load described above
  return require('../../core/runbooks/parse-runbook') as typeof RunbookParsing;
}

/** As the API loads runbooks: parsed and checked, and named like the file. */
function validateFile(file: string): Validation {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e);
    return { file, ok: false, error: { code: 'LB_ERR_RUNBOOK_INVALID', message: `${file}: cannot read: ${reason}` } };
  }
  try {
    const runbook = runbookParsing().parseRunbookFile(file, text);
    return { file, ok: true, runbook: runbook.name };
  } catch (e) {
    return { file, ok: false, error: errorShapeOf(e) };
  }
}

export const runbookRun: Command = {
  path: ['runbook', 'run'],
  usage: 'runbook run <name> [--param k=v ...] [--wait]',
  summary: 'start a run; --wait follows it, exit 1 if it fails',
  details:
    'Parameters are sent as text and read as the runbook declares them (number, boolean, string).\n' +
    'With --wait, each step is printed as it starts and ends; when the run pauses at an approval\n' +
    'the command says so and keeps waiting until someone runs `npx lifeboat op <id> approve`.',
  options: {
    param: { type: 'string', multiple: true, short: 'p', value: 'k=v', help: 'a runbook parameter (repeat for more)' },
    ...WAIT_OPTION,
  },
  startsWork: true,
  async run(ctx, args) {
    const [name, ...extra] = args.positionals;
    if (!name) throw new UsageError('missing <name> (lifeboat runbook list shows them)', 'runbook run');
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}" (parameters go as --param k=v)`, 'runbook run');
    const params = pairsOpt(args.values, 'param', 'runbook run');
    const { body } = await ctx.client().post(`/v1/runbooks/${encodeURIComponent(name)}/runs`, operationAnswerSchema, { body: { params } });
    const run = body.operation;
    if (!boolOpt(args.values, 'wait')) {
      ctx.out.document(body);
      for (const line of startedLines(run, 'started')) ctx.out.say(line);
      return EXIT.OK;
    }
    ctx.out.notice(`started ${run.id}: runbook ${name} — following it (Ctrl-C stops following; the run goes on)`);
    return reportFinished(await follow(ctx.client(), run, { pollMs: ctx.pollMs, out: ctx.out }), ctx.out);
  },
};

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
