import { ERROR_CATALOG, LifeboatError } from '../core/errors';
import { detailLines } from '../text/problem-text';
import type { Problem } from '../core/errors';
import { ApiError, ApiUnreachable } from './api-client';
import { UsageError } from './exit-codes';

export interface Streams {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

/**
 * Where the CLI writes. Human mode: lines on stdout, errors on stderr as `CODE: message`
 * and `hint: …`. JSON mode: exactly one JSON document on stdout (the result), errors on
 * stderr as the API's {"error":{…}} shape; progress lines are not written.
 */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly streams: Streams,
  ) {}

  /** A line of human output (dropped in JSON mode). */
  say(line = ''): void {
    if (!this.json) this.streams.stdout.write(`${clean(line)}\n`);
  }

  /** A line for a person watching, even in JSON mode (stderr there, so stdout stays one document). */
  notice(line: string): void {
    (this.json ? this.streams.stderr : this.streams.stdout).write(`${clean(line)}\n`);
  }

  /** The one JSON document of a command (JSON mode only). */
  document(value: unknown): void {
    if (this.json) this.streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** An error, as `CODE: message`, `details: …` and `hint: …`, or as {"error":{…}} in JSON mode. */
  error(e: ErrorShape): void {
    if (this.json) {
      const body = { error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}), ...(e.details ? { details: e.details } : {}) } };
      this.streams.stderr.write(`${JSON.stringify(body)}\n`);
      return;
    }
    this.streams.stderr.write(`${clean(`${e.code}: ${e.message}`)}\n`);
    for (const line of detailLines(e.details, '')) this.streams.stderr.write(`${clean(line)}\n`);
    if (e.hint) this.streams.stderr.write(`${clean(`hint: ${e.hint}`)}\n`);
  }

  /** Free text on stderr (usage after a usage error), human mode only. */
  stderr(text: string): void {
    if (!this.json) this.streams.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Raw text to stdout (a rendered plan, help). */
  text(text: string): void {
    this.streams.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}

export interface ErrorShape {
  code: string;
  message: string;
  hint?: string | undefined;
  details?: Record<string, unknown> | undefined;
}

/** Any error the CLI meets, as code, message and hint. */
export function errorShapeOf(e: unknown): ErrorShape {
  const also = (hint: string | undefined, retry: string | undefined) => [hint, retry].filter(Boolean).join(' ') || undefined;
  if (e instanceof ApiError) return { code: e.code, message: e.message, hint: also(cliHint(e.code, e.hint ?? hintFor(e.code), e.details), e.retryHint), details: e.details };
  if (e instanceof ApiUnreachable) return { code: 'LB_ERR_API_UNREACHABLE', message: e.message, hint: also('Start the API (npm run api) or point --url / LIFEBOAT_URL at it.', e.retryHint) };
  if (e instanceof LifeboatError) return { code: e.code, message: e.message, hint: e.hint, details: e.details };
  if (e instanceof UsageError) return { code: e.code, message: e.message, hint: `lifeboat ${e.command ? `${e.command} ` : ''}--help shows the usage.` };
  const err = e instanceof Error ? e : new Error(String(e));
  return { code: 'LB_ERR_CLI_INTERNAL', message: err.stack ?? err.message, hint: 'This is a bug in the lifeboat CLI.' };
}

/** An operation's recorded problem, with the catalog's hint. */
export function problemShape(p: Problem): ErrorShape {
  return { code: p.code, message: p.message, hint: cliHint(p.code, p.hint ?? hintFor(p.code), p.details), ...(p.details ? { details: p.details } : {}) };
}

/** The API's hints name JSON fields and headers; on the command line they are flags. */
function cliHint(code: string, hint: string | undefined, details?: Record<string, unknown>): string | undefined {
  const heldBy = details?.operationId;
  if (code === 'LB_ERR_REGION_LOCKED' && typeof heldBy === 'string') return `Wait for it: npx lifeboat op ${heldBy} wait; or stop it: npx lifeboat op ${heldBy} cancel. Then ask again.`;
  if (code === 'LB_ERR_UNAUTHENTICATED') return 'Pass a token with --token, or set LIFEBOAT_TOKEN (it is sent as Authorization: Bearer <token>).';
  if (code === 'LB_ERR_FORBIDDEN') return `${hint ?? ''} Pass another token with --token or LIFEBOAT_TOKEN.`.trim();
  return CLI_WORDS.reduce((h, [route, command]) => h?.replace(route, command), hint);
}

/** The API's routes and JSON fields a catalog hint names, and what does the same on the command line. */
const CLI_WORDS: Array<[RegExp | string, string]> = [
  ['pass force: true', 'pass --force'],
  [/GET \/v1\/operations\b/g, 'npx lifeboat ops'],
  [/GET \/v1\/fleet\b/g, 'npx lifeboat fleet'],
  [/GET \/v1\/runbooks\b/g, 'npx lifeboat runbook list'],
  [/POST \/v1\/operations\/:id\/approve\b/g, 'npx lifeboat op <id> approve'],
];

function hintFor(code: string): string | undefined {
  return code in ERROR_CATALOG ? ERROR_CATALOG[code as keyof typeof ERROR_CATALOG].hint : undefined;
}

/** Text from the API is shown, never obeyed: no terminal control sequences get through. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}
