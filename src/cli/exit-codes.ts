import { ApiError, ApiUnreachable } from './api-client';

/** What `lifeboat` exits with; `lifeboat --help` and docs/cli.md list the same. */
export const EXIT = {
  /** Done: the request was accepted, or the operation or run succeeded. */
  OK: 0,
  /** The operation or run ended failed, refused or cancelled; the API refused to start it (409); a runbook is invalid; a dry run would be refused. */
  FAILED: 1,
  /** Bad arguments: nothing was sent. */
  USAGE: 2,
  /** The API answered with an error other than a refusal to start work. */
  API_ERROR: 3,
  /** The API could not be reached. */
  UNREACHABLE: 4,
  /** `readiness`: the API answered, and the fleet is not N+1 ready (a region the others could not absorb). */
  NOT_READY: 5,
  /** Anything else: a bug in the CLI (it prints the stack). */
  INTERNAL: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Bad arguments, found before anything is sent. */
export class UsageError extends Error {
  readonly code = 'LB_ERR_USAGE';
  /** The command whose usage to point at (`evacuate`, `runbook run`). */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** Codes the API answers 409 with that are not a refusal of the work itself. */
const NOT_A_REFUSAL = new Set(['LB_ERR_IDEMPOTENCY_MISMATCH']);

/**
 * A 409 to a request that starts work (an operation or a runbook run) is the API refusing
 * that work as unsafe or impossible right now (region locked, not evacuated, shortfall…):
 * the same outcome as an operation that ends `refused`, so it exits 1.
 */
function isRefusal(e: unknown): e is ApiError {
  return e instanceof ApiError && e.status === 409 && !NOT_A_REFUSAL.has(e.code);
}

/** The exit code for an error that stopped a command. */
export function exitCodeOf(e: unknown, options: { startsWork?: boolean } = {}): ExitCode {
  if (e instanceof UsageError) return EXIT.USAGE;
  if (e instanceof ApiUnreachable) return EXIT.UNREACHABLE;
  if (options.startsWork && isRefusal(e)) return EXIT.FAILED;
  if (e instanceof ApiError) return EXIT.API_ERROR;
  return EXIT.INTERNAL;
}
