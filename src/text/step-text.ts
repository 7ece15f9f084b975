import type { ViewStep } from '../operations/operation-views';
import { MARKS, stepMark } from './marks';
import { took } from './units';

/** One step of an operation or a run, as every view shows it. */

/** What an ended step came to: `CODE: message` when it failed with an error, else its outcome (or its state). */
function stepResult(step: ViewStep): string {
  return step.state === 'failed' && step.error ? `${step.error.code}: ${step.error.message}` : (step.outcome ?? step.state);
}

/** `▸ await-capacity: Wait for capacity in service`: a step that has just started (a retry says which attempt). */
export function startedStepLine(step: ViewStep): string {
  // A runbook step without a description is titled `<action> (<id>)`: say it once.
  const title = step.title === `${step.kind} (${step.stepId ?? step.id})` ? ` (${step.kind})` : `: ${step.title}`;
  return `${MARKS.running} ${step.id}${title}${step.attempts > 1 ? ` (attempt ${step.attempts})` : ''}`;
}

/** `✓ prescale: 2 group(s) pinned (1.5 s)`: a step that has ended, and how long it took (a skipped one took no time). */
export function endedStepLine(step: ViewStep): string {
  const time = step.state === 'skipped' ? undefined : took(step.startedAt, step.finishedAt);
  return `${stepMark(step)} ${step.id}: ${stepResult(step)}${time ? ` (${time})` : ''}`;
}

/** A step in an operation's detail: its mark, its title or result, and its time, attempts and stuck flag. */
export function stepDetailLine(step: ViewStep, now: number): string {
  const open = step.state === 'pending' || step.state === 'running';
  const time = took(step.startedAt, step.finishedAt, now);
  const extra = [
    step.state === 'running' && time ? `running ${time}` : step.state !== 'skipped' && step.state !== 'pending' && time ? time : '',
    step.attempts > 1 ? `${step.attempts} attempts` : '',
    step.stuck ? (step.state === 'running' ? 'stuck' : 'was stuck') : '',
  ].filter(Boolean);
  return `${stepMark(step)} ${step.id}: ${open ? step.title : stepResult(step)}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}
