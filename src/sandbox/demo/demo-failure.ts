import { isLifeboatError } from '../../core/errors';

/** A demo failure a person can act on: what went wrong, and what to do about it. */
export class DemoFailure extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'DemoFailure';
  }
}

/** One or two lines for the terminal, never a stack trace. */
export function describeFailure(e: unknown): string {
  if (e instanceof DemoFailure) return e.hint ? `${e.message}\n  → ${e.hint}` : e.message;
  if (isLifeboatError(e)) return `${e.code}: ${e.message}\n  → ${e.hint}`;
  if (e instanceof Error) return e.message;
  return String(e);
}
