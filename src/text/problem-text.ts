import { ERROR_CATALOG } from '../core/errors';

/** A problem that carries a code (a LifeboatError, a step's or an operation's error). */
interface CodedProblem {
  code: string;
  message: string;
  hint?: string | undefined;
}

/** `LB_ERR_X: message`, and the hint on the next line: the problem's own, else the catalog's. */
export function problemText(problem: CodedProblem, indent = '  '): string {
  const hint = problem.hint ?? (ERROR_CATALOG as Record<string, { hint: string } | undefined>)[problem.code]?.hint;
  return `${problem.code}: ${problem.message}${hint ? `\n${indent}hint: ${hint}` : ''}`;
}
