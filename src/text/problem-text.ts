import { ERROR_CATALOG } from '../core/errors';

/** A problem that carries a code (a LifeboatError, a step's or an operation's error). */
interface CodedProblem {
  code: string;
  message: string;
  hint?: string | undefined;
  details?: Record<string, unknown> | undefined;
}

const LONGEST_VALUE = 200;

/**
 * What a problem's details say, as lines a person reads: `details: field=region, suggestion=us-east-1`,
 * then one `- field: message` line per issue when there are several (one issue is the message itself).
 */
export function detailLines(details: Record<string, unknown> | undefined, indent = '  '): string[] {
  if (!details) return [];
  const pairs: string[] = [];
  const issues: string[] = [];
  for (const [key, value] of Object.entries(details)) {
    if (key === 'issues' && Array.isArray(value)) {
      if (value.length > 1) issues.push(...value.map((i: { field?: unknown; message?: unknown }) => `${indent}  - ${String(i.field)}: ${String(i.message)}`));
      continue;
    }
    const shown = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
    pairs.push(`${key}=${shown.length > LONGEST_VALUE ? `${shown.slice(0, LONGEST_VALUE)}…` : shown}`);
  }
  return [...(pairs.length > 0 ? [`${indent}details: ${pairs.join(', ')}`] : []), ...issues];
}

/** `LB_ERR_X: message`, its details, and the hint on the last line: the problem's own, else the catalog's. */
export function problemText(problem: CodedProblem, indent = '  '): string {
  const hint = problem.hint ?? (ERROR_CATALOG as Record<string, { hint: string } | undefined>)[problem.code]?.hint;
  return [`${problem.code}: ${problem.message}`, ...detailLines(problem.details, indent), ...(hint ? [`${indent}hint: ${hint}`] : [])].join('\n');
}
