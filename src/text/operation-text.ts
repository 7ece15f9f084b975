import type { ViewStep } from '../operations/operation-views';

/** A step's state at a glance, in `op <id>` and in the lines that follow a run. */
export const STEP_MARKS: Record<string, string> = { succeeded: '✓', failed: '✗', skipped: '-', running: '▸', pending: '·' };

/** What an ended step came to: `CODE: message` when it failed with an error, else its outcome (or its state). */
export function stepResult(step: ViewStep): string {
  return step.state === 'failed' && step.error ? `${step.error.code}: ${step.error.message}` : (step.outcome ?? step.state);
}

/** A run's outputs, one `name = value` line each: text as it is, anything else as JSON. */
export function outputLines(outputs: Record<string, unknown>, indent: string): string[] {
  return Object.entries(outputs).map(([k, v]) => `${indent}${k} = ${typeof v === 'string' ? v : JSON.stringify(v)}`);
}
