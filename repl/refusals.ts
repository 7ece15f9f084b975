import { isLifeboatError } from '../src/core/errors';
import { problemText } from '../src/text/problem-text';

/** `LB_ERR_X: message` and the hint on the next line: how the REPL shows a refusal. */
export function formatLifeboatError(e: { code: string; message: string; hint?: string }): string {
  return problemText(e);
}

/** Whether a value is a LifeboatError (or looks like one after crossing a vm context). */
export function isRefusal(e: unknown): e is { code: string; message: string; hint: string } {
  if (isLifeboatError(e)) return true;
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'LifeboatError' && typeof (e as { code?: unknown }).code === 'string';
}
