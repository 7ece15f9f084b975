import type { ViewStep } from '../operations/operation-views';

/**
 * The one set of marks a terminal shows beside a step, in the REPL, the CLI and the demo
 * alike (progress as it happens, `op <id>`, the REPL's op()).
 */
export const MARKS = {
  pending: '·',
  running: '▸',
  succeeded: '✓',
  failed: '✗',
  skipped: '-',
  /** A running step the runbook engine flagged stuck: far longer than this step usually takes. */
  stuck: '⚠',
  /** A run paused at an approve step, until someone approves or rejects it. */
  awaitingApproval: '⏸',
  /** A running step's latest news, on the step's own line (the REPL's layout, where steps are not announced). */
  news: '…',
} as const;

/** A step's mark: its state's, or the stuck mark while it runs flagged stuck; `?` for a state this build does not know. */
export function stepMark(step: Pick<ViewStep, 'state' | 'stuck'>): string {
  if (step.state === 'running' && step.stuck) return MARKS.stuck;
  return (MARKS as Record<string, string>)[step.state] ?? '?';
}
