import { parseArgs } from 'node:util';
import { packageVersion } from '../operations/package-root';
import { ApiClient } from './api-client';
import type { CliContext, Command, OptionSpecs } from './command';
import { commandName, parseNumber } from './command';
import { fleet, readiness } from './commands/fleet';
import { evacuate, plan, restore, scale, shift } from './commands/submit';
import { opApprove, opCancel, opShow, opWait, ops } from './commands/op';
import { runbookList, runbookRun, runbookValidate } from './commands/runbooks';
import { runbookTrigger } from './commands/trigger';
import { switches, switchesPrepare } from './commands/switches';
import { darkCapacity, darkCapacityPrepare, darkCapacityRelease } from './commands/dark-capacity';
import { didYouMean } from '../core/suggest';
import { EXIT, UsageError, exitCodeOf } from './exit-codes';
import { DEFAULT_URL, GLOBAL_OPTIONS, commandHelp, generalHelp } from './help';
import type { Streams } from './output';
import { Output, errorShapeOf } from './output';

/**
 * `npx lifeboat`: the lifeboat HTTP API for automation and people at a terminal. Parses
 * the command line, finds the command, runs it and returns the exit code (see help.ts).
 */

const COMMANDS: Command[] = [runbookList, runbookValidate, runbookRun, runbookTrigger, plan, evacuate, restore, shift, scale, ops, opShow, opApprove, opCancel, opWait, readiness, fleet, switches, switchesPrepare, darkCapacity, darkCapacityPrepare, darkCapacityRelease];

const OP_ACTIONS = ['approve', 'cancel', 'wait'];
const DEFAULT_POLL_MS = 500;

type Env = Record<string, string | undefined>;

/** The command the leading words name, and the positionals left for it. */
function resolveCommand(words: string[]): { command: Command; rest: string[] } | undefined {
  const byName = new Map(COMMANDS.map((c) => [commandName(c), c]));
  const [first, second, third, ...more] = words;
  if (first === 'op') {
    // `op cancel --rollback`: an action where the id belongs. Ids start op_ or run_, never with an action's name.
    if (second !== undefined && OP_ACTIONS.includes(second)) {
      throw new UsageError(
        third === undefined ? `missing <id>: which operation to ${second}? (op <id> ${second}; npx lifeboat ops lists them)` : `the id comes before the action: op ${third} ${second}`,
        `op ${second}`,
      );
    }
    // `op <id> [approve|cancel|wait] ...`: the action comes after the id.
    if (third !== undefined && !OP_ACTIONS.includes(third)) throw new UsageError(`unknown action "${third}" for op <id>: use ${OP_ACTIONS.join(', ')} (or nothing to show it)`, 'op');
    const command = byName.get(third ? `op ${third}` : 'op')!;
    return { command, rest: second === undefined ? [] : [second, ...more] };
  }
  if (first !== undefined && second !== undefined && byName.has(`${first} ${second}`)) return { command: byName.get(`${first} ${second}`)!, rest: words.slice(2) };
  if (first !== undefined && byName.has(first)) {
    // `dark-capacity prepar`: a command with subcommands takes no word after it but one of them.
    const subcommands = COMMANDS.filter((c) => c.path.length === 2 && c.path[0] === first).map((c) => c.path[1]!);
    if (second !== undefined && subcommands.length > 0) throw new UsageError(`unknown subcommand "${second}" for ${first}${didYouMean(second, subcommands)}: use ${subcommands.map((x) => `${first} ${x}`).join(', ')}`, first);
    return { command: byName.get(first)!, rest: words.slice(1) };
  }
  return undefined;
}

const parseConfig = (options: OptionSpecs) =>
  Object.fromEntries(Object.entries(options).map(([name, o]) => [name, { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) }]));

/** Every option of every command, for the first, forgiving pass that only finds the command. */
const ALL_OPTIONS: OptionSpecs = Object.assign({}, ...COMMANDS.map((c) => c.options), GLOBAL_OPTIONS) as OptionSpecs;

/** parseArgs' messages, shorter: `unknown option --colour`. */
function usageMessage(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const option = /'([^']+)'/.exec(err.message ?? '')?.[1];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option}`;
  if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return err.message ?? 'unexpected argument';
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) return `option ${option.split(' ')[0]} ${/argument missing/.test(err.message ?? '') ? 'needs a value' : 'takes no value'}`;
  return err.message ?? String(e);
}

function version(): string {
  return packageVersion() ?? 'unknown';
}

export async function cli(argv: string[], env: Env, streams: Streams): Promise<number> {
  let out = new Output(argv.includes('--json'), streams);
  let command: Command | undefined;
  try {
    let first;
    try {
      first = parseArgs({ args: argv, options: parseConfig(ALL_OPTIONS), strict: false, allowPositionals: true });
    } catch (e) {
      throw new UsageError(usageMessage(e));
    }
    out = new Output(first.values.json === true, streams);
    if (first.values.version === true) {
      out.document({ version: version() });
      out.say(version());
      return EXIT.OK;
    }
    const words = first.positionals;
    if (words[0] === 'help') {
      const target = words.length > 1 ? resolveCommand(words.slice(1))?.command : undefined;
      if (words.length > 1 && !target) throw new UsageError(`no command "${words.slice(1).join(' ')}"`);
      out.text(target ? commandHelp(target) : generalHelp(COMMANDS, version()));
      return EXIT.OK;
    }
    const found = resolveCommand(words);
    if (first.values.help === true) {
      out.text(found ? commandHelp(found.command) : generalHelp(COMMANDS, version()));
      return EXIT.OK;
    }
    if (words.length === 0) {
      out.stderr(generalHelp(COMMANDS, version()));
      throw new UsageError('no command given');
    }
    if (!found) {
      const group = COMMANDS.filter((c) => c.path[0] === words[0] && c.path.length > 1).map(commandName);
      const typed = words.slice(0, 2).join(' ');
      throw new UsageError(group.length ? `"${typed}" is not a command${didYouMean(typed, group)}; use ${group.join(', ')}` : `unknown command "${words[0]}"${didYouMean(words[0]!, [...new Set(COMMANDS.map((c) => c.path[0]!))])}`);
    }
    command = found.command;
    const name = commandName(command);

    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: parseConfig({ ...GLOBAL_OPTIONS, ...command.options }), strict: true, allowPositionals: true });
    } catch (e) {
      throw new UsageError(usageMessage(e), name);
    }
    const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
    const rest = resolveCommand(parsed.positionals)?.rest ?? found.rest;
    const ctx = contextOf(values, env, out, name);
    return await command.run(ctx, { positionals: rest, values });
  } catch (e) {
    out.error(errorShapeOf(e));
    if (e instanceof UsageError && e.command) {
      const c = COMMANDS.find((x) => commandName(x) === e.command);
      if (c) out.stderr(`usage: lifeboat ${c.usage}`);
    }
    return exitCodeOf(e, { startsWork: command?.startsWork ?? false });
  }
}

function contextOf(values: Record<string, unknown>, env: Env, out: Output, command: string): CliContext {
  const rawUrl = (typeof values.url === 'string' ? values.url : undefined) ?? (env.LIFEBOAT_URL || DEFAULT_URL);
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new UsageError(`--url / LIFEBOAT_URL is not a URL: "${rawUrl}"`, command);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url / LIFEBOAT_URL must be http or https, got "${rawUrl}"`, command);
  const token = (typeof values.token === 'string' ? values.token : undefined) ?? (env.LIFEBOAT_TOKEN || undefined);
  const pollMs = typeof values['poll-ms'] === 'string' ? parseNumber(values['poll-ms'], '--poll-ms', command, { integer: true, min: 10 }) : DEFAULT_POLL_MS;
  let client: ApiClient | undefined;
  return {
    out,
    pollMs,
    env,
    client: () => (client ??= new ApiClient({ baseUrl: rawUrl, userAgent: `lifeboat-cli/${version()}`, ...(token ? { token } : {}) })),
  };
}
