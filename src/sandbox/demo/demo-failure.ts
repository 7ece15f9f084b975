import { isLifeboatError } from '../../core/errors';
import { problemText } from '../../text/problem-text';

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
  if (e instanceof DemoFailure) return e.hint ? `${e.message}\n  hint: ${e.hint}` : e.message;
  if (isLifeboatError(e)) return problemText(e);
  if (e instanceof Error) return e.message;
  return String(e);
}
