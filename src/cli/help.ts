import type { Command, OptionSpecs } from './command';
import { commandName } from './command';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export const GLOBAL_OPTIONS: OptionSpecs = {
  url: { type: 'string', value: 'url', help: `the lifeboat API (env LIFEBOAT_URL; default ${DEFAULT_URL})` },
  token: { type: 'string', value: 'token', help: 'bearer token (env LIFEBOAT_TOKEN, which keeps it out of the process list)' },
  json: { type: 'boolean', help: 'machine output: one JSON document on stdout, errors as {"error":{…}} on stderr' },
  'poll-ms': { type: 'string', value: 'ms', help: 'how often --wait and `op <id> wait` poll (default 500)' },
  help: { type: 'boolean', short: 'h', help: 'this help; `lifeboat <command> --help` for one command' },
  version: { type: 'boolean', help: 'the version' },
};

const EXIT_CODES_HELP = `Exit codes
  0   success: the request was accepted, or (with --wait, op <id> wait) the operation or run succeeded
  1   the operation or run ended failed, refused or cancelled; or the API refused to start it
      (a 409 to evacuate/shift/restore/scale/dark-capacity prepare|release/runbook run:
      LB_ERR_REGION_NOT_EVACUATED, LB_ERR_REGION_LOCKED, LB_ERR_SHORTFALL, LB_ERR_NOTHING_TO_DO, …);
      or a --dry-run plan would be refused;
      or runbook validate found an invalid runbook
  2   usage error: bad arguments, nothing was sent
  3   the API answered with another error (4xx/5xx: validation, not found, approval not
      pending, authentication, a dependency down, an Idempotency-Key reused with another body)
  4   the API could not be reached (connection refused, DNS, no answer in time)
  5   readiness: the fleet is not N+1 ready (some region could not be absorbed by the others)
  70  a bug in the CLI`;

function optionLines(options: OptionSpecs): string[] {
  const entries = Object.entries(options).map(([name, o]) => [`${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` <${o.value}>` : ''}${o.multiple ? ' ...' : ''}`, o.help] as const);
  const width = Math.max(0, ...entries.map(([flag]) => flag.length));
  return entries.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`);
}

const GROUPS: Array<[string, string[]]> = [
  ['Runbooks', ['runbook list', 'runbook validate', 'runbook run', 'runbook trigger']],
  ['Operations', ['plan', 'evacuate', 'restore', 'shift', 'scale', 'ops', 'op', 'op approve', 'op cancel', 'op wait']],
  ['Fleet', ['readiness', 'fleet']],
  ['Region switches (leave a region without Route 53\'s change API)', ['switches', 'switches prepare']],
  ['Dark capacity (warm pools)', ['dark-capacity', 'dark-capacity prepare', 'dark-capacity release']],
];

export function generalHelp(commands: Command[], version: string): string {
  const byName = new Map(commands.map((c) => [commandName(c), c]));
  const lines = [`lifeboat ${version} — the command line for the lifeboat API (regional failover for AWS)`, '', 'Usage: lifeboat <command> [options]', ''];
  // A command no group names still shows, so a new command cannot go missing from the overview.
  const grouped = new Set(GROUPS.flatMap(([, names]) => names));
  const ungrouped = commands.map(commandName).filter((n) => !grouped.has(n));
  for (const [group, names] of [...GROUPS, ...(ungrouped.length ? [['Other commands', ungrouped] as [string, string[]]] : [])]) {
    lines.push(group);
    const rows = names.map((n) => byName.get(n)).filter((c): c is Command => !!c);
    const width = Math.max(...rows.map((c) => shortUsage(c).length));
    for (const c of rows) lines.push(`  ${shortUsage(c).padEnd(width)}  ${c.summary}`);
    lines.push('');
  }
  lines.push('Options for every command', ...optionLines(GLOBAL_OPTIONS), '');
  lines.push(
    'Output: human text by default; --json for machines. Errors go to stderr as `CODE: message`',
    'and `hint: …` (the API\'s error codes, plus LB_ERR_USAGE, LB_ERR_API_UNREACHABLE).',
    '',
    EXIT_CODES_HELP,
    '',
    'Examples',
    '  npx lifeboat runbook run game-day --param region=us-east-1 --wait',
    '  npx lifeboat evacuate us-east-1 --stages 2 --reason "AZ outage" --wait',
    '  npx lifeboat ops --state running,queued',
    '  npx lifeboat op <id> approve --comment "go"',
  '  npx lifeboat dark-capacity prepare --dry-run',
  );
  return `${lines.join('\n')}\n`;
}

/** The usage line, shortened for the overview. */
function shortUsage(c: Command): string {
  if (c.usage.length <= 46) return c.usage;
  const cut = c.usage.indexOf(' [');
  return `${c.usage.slice(0, cut > 0 ? cut : 46)} ...`;
}

export function commandHelp(c: Command): string {
  const lines = [`Usage: lifeboat ${c.usage}`, '', c.summary];
  if (c.details) lines.push('', c.details);
  if (Object.keys(c.options).length) lines.push('', 'Options', ...optionLines(c.options));
  lines.push('', 'Options for every command', ...optionLines(GLOBAL_OPTIONS), '', 'Exit codes: 0 ok · 1 failed/refused/cancelled · 2 usage · 3 API error · 4 API unreachable · 5 not N+1 ready (lifeboat --help has the details)');
  return `${lines.join('\n')}\n`;
}
