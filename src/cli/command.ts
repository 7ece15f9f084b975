import type { ApiClient } from './api-client';
import type { ExitCode } from './exit-codes';
import { UsageError } from './exit-codes';
import type { Output } from './output';

/** One option of a command, as util.parseArgs takes it plus what --help says about it. */
interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** The value's name in help: `--stages <n>`. */
  value?: string;
  help: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandArgs {
  /** Positionals after the command words (for `op <id> approve`: the id). */
  positionals: string[];
  values: OptionValues;
}

export interface CliContext {
  out: Output;
  /** The API client; made on first use, so local commands need no URL. */
  client(): ApiClient;
  /** How often --wait polls. */
  pollMs: number;
  /** The environment, for the few commands that read a secret from it (runbook trigger). */
  env: Record<string, string | undefined>;
}

export interface Command {
  /** The words that name it: ['runbook', 'run']; `op <id> approve` is ['op', 'approve']. */
  path: string[];
  /** Usage line after `lifeboat `. */
  usage: string;
  summary: string;
  /** More help, shown by `lifeboat <command> --help`. */
  details?: string;
  options: OptionSpecs;
  /** Starts an operation or a run: a 409 from the API is a refusal and exits 1. */
  startsWork?: boolean;
  run(ctx: CliContext, args: CommandArgs): Promise<ExitCode>;
}

export const commandName = (c: Pick<Command, 'path'>): string => c.path.join(' ');

// Reading option values, with usage errors that name the flag.

export function stringOpt(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function boolOpt(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

/** A repeatable option, each value also split at commas: `--service a --service b,c`. */
export function listOpt(values: OptionValues, name: string): string[] | undefined {
  const v = values[name];
  if (v === undefined || typeof v === 'boolean') return undefined;
  const items = [v]
    .flat()
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
}

export function numberOpt(values: OptionValues, name: string, command: string, options: { integer?: boolean; min?: number } = {}): number | undefined {
  const raw = stringOpt(values, name);
  return raw === undefined ? undefined : parseNumber(raw, `--${name}`, command, options);
}

export function parseNumber(raw: string, what: string, command: string, options: { integer?: boolean; min?: number } = {}): number {
  const n = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(n)) throw new UsageError(`${what} must be a number, got "${raw}"`, command);
  if (options.integer && !Number.isInteger(n)) throw new UsageError(`${what} must be a whole number, got "${raw}"`, command);
  if (options.min !== undefined && n < options.min) throw new UsageError(`${what} must be at least ${options.min}, got "${raw}"`, command);
  return n;
}

/** `k=v` pairs of a repeatable option; a key given twice is a mistake worth stopping for. */
export function pairsOpt(values: OptionValues, name: string, command: string): Record<string, string> {
  const v = values[name];
  const out: Record<string, string> = {};
  for (const pair of v === undefined || typeof v === 'boolean' ? [] : [v].flat()) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq).trim() : '';
    if (!key) throw new UsageError(`--${name} takes key=value, got "${pair}"`, command);
    if (key in out) throw new UsageError(`--${name} ${key} is given twice`, command);
    out[key] = pair.slice(eq + 1);
  }
  return out;
}

/** Exactly these positionals, by name, or a usage error naming what is missing or extra. */
export function positionalsOf(args: CommandArgs, names: string[], command: string): string[] {
  if (args.positionals.length < names.length) throw new UsageError(`missing <${names[args.positionals.length]}>`, command);
  if (args.positionals.length > names.length) throw new UsageError(`unexpected argument "${args.positionals[names.length]}"`, command);
  return args.positionals;
}
