import type { Progress } from '../operations/operation-types';
// operation-states, not operation-types: the CLI stays free of zod.
import { FINISHED_STATES } from '../operations/operation-states';
import type { OperationView, ViewStep } from '../operations/operation-views';
import type { ApiClient } from './api-client';
import { ApiError, ApiUnreachable } from './api-client';
import type { Output } from './output';
import { CapacityBars } from '../text/progress-bar';
import { errorShapeOf, problemShape, took } from './output';
import type { ExitCode } from './exit-codes';
import { EXIT } from './exit-codes';
import { STEP_MARKS, outputLines, stepResult } from '../text/operation-text';

export const isFinished = (view: Pick<OperationView, 'state'>): boolean => FINISHED_STATES.includes(view.state);

/** A line of progress; `notice` lines are for a person even in JSON mode (an approval to give). */
export interface ProgressLine {
  text: string;
  notice?: boolean;
}

/**
 * Turns successive views of one operation or run into the lines that say what changed:
 * a step starting, its progress (a message, capacity coming into service), a step ending
 * (✓/✗/-, outcome, duration), a step flagged stuck, a pause at an approval.
 */
export class ProgressPrinter {
  private readonly announced = new Set<string>();
  private readonly finished = new Set<string>();
  private readonly stuck = new Set<string>();
  private readonly approvals = new Set<string>();
  private readonly capacity = new CapacityBars('    ', 4);
  private lastMessage = '';
  private cancelling = false;

  constructor(private readonly indent = '  ') {}

  lines(view: OperationView, now = Date.now()): ProgressLine[] {
    const out: ProgressLine[] = [];
    const say = (text: string) => out.push({ text: `${this.indent}${text}` });
    if (view.state === 'cancelling' && !this.cancelling) {
      this.cancelling = true;
      say(`cancelling${view.cancel ? ` (asked by ${view.cancel.by}${view.cancel.rollback ? ', with rollback' : ''})` : ''}`);
    }
    for (const step of view.steps) {
      if (step.state === 'pending') continue;
      const done = step.state !== 'running';
      // Keyed by start and attempt, so a retry or a goto loop that runs a step again shows again.
      const started = `${step.id}@${step.startedAt ?? ''}#${step.attempts}`;
      if (!done && !this.announced.has(started)) {
        this.announced.add(started);
        // A runbook step without a description is titled `<action> (<id>)`: say it once.
        const title = step.title === `${step.kind} (${step.stepId ?? step.id})` ? ` (${step.kind})` : `: ${step.title}`;
        say(`▸ ${step.id}${title}${step.attempts > 1 ? ` (attempt ${step.attempts})` : ''}`);
      }
      if (!done && view.progress?.step === step.id) for (const line of this.progressLines(view.progress)) say(line);
      if (!done && step.stuck && !this.stuck.has(step.id)) {
        this.stuck.add(step.id);
        const running = took(step.startedAt, undefined, now);
        out.push({ text: `${this.indent}⚠ ${step.id} looks stuck: running${running ? ` for ${running}` : ''}, much longer than this step usually takes`, notice: true });
      }
      const ended = `${step.id}@${step.finishedAt ?? ''}`;
      if (done && !this.finished.has(ended)) {
        this.finished.add(ended);
        say(finishedLine(step));
      }
    }
    const waiting = view.awaitingApproval;
    if (waiting && !this.approvals.has(`${waiting.stepId}@${waiting.since}`)) {
      this.approvals.add(`${waiting.stepId}@${waiting.since}`);
      out.push({ text: `${this.indent}⏸ waiting for approval: ${waiting.message}  — approve with: npx lifeboat op ${view.id} approve`, notice: true });
      out.push({ text: `${this.indent}  (or reject with: npx lifeboat op ${view.id} approve --reject)`, notice: true });
    }
    return out;
  }

  private progressLines(progress: Progress): string[] {
    const out: string[] = [];
    const message = `${progress.step}\u0000${progress.message}`;
    if (progress.message && message !== this.lastMessage) {
      this.lastMessage = message;
      out.push(`    ${progress.message}`);
    }
    return [...out, ...this.capacity.changed(progress.capacity ?? [])];
  }
}

function finishedLine(step: ViewStep): string {
  const time = took(step.startedAt, step.finishedAt);
  return `${STEP_MARKS[step.state] ?? '?'} ${step.id}: ${stepResult(step)}${time && step.state !== 'skipped' ? ` (${time})` : ''}`;
}

export interface FollowOptions {
  pollMs: number;
  out: Output;
  /** Consecutive failed polls (API away, 5xx) tolerated before giving up. */
  maxPollFailures?: number;
  sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Follow an operation or a run until it finishes: GET it every pollMs, print what changed.
 * A run's step that drives an operation or a child run is followed too, nested, so its
 * capacity bars and approvals show. Returns the finished view.
 */
export async function follow(client: ApiClient, first: OperationView, options: FollowOptions): Promise<OperationView> {
  const { out } = options;
  const sleep = options.sleep ?? sleepFor;
  const printer = new ProgressPrinter();
  const children = new Map<string, ProgressPrinter>();
  const emit = (lines: ProgressLine[]) => {
    for (const line of lines) {
      if (line.notice) out.notice(line.text);
      else out.say(line.text);
    }
  };
  const poll = pollerOf(client, options);
  const showChild = async (childId: string) => {
    const child = await poll(childId).catch(() => undefined);
    if (!child) return;
    let childPrinter = children.get(childId);
    if (!childPrinter) {
      childPrinter = new ProgressPrinter('      ');
      children.set(childId, childPrinter);
      out.say(`      ↳ ${child.kind} ${child.id}`);
    }
    emit(childPrinter.lines(child));
  };
  let view = first;
  let active: string[] = [];
  // Ctrl-C stops the watching, not the work: say so, and how to pick it up again.
  const onInterrupt = () => {
    out.notice(`\nstopped following ${view.id}; it goes on. Follow it again with: npx lifeboat op ${view.id} wait`);
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    for (;;) {
      // A child whose step has just ended: its last lines, before the step's own ✓/✗.
      const now = childrenOf(view);
      for (const childId of active) if (!now.includes(childId)) await showChild(childId);
      active = now;
      emit(printer.lines(view));
      if (isFinished(view)) return view;
      for (const childId of active) await showChild(childId);
      await sleep(options.pollMs);
      view = await poll(view.id);
    }
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

/** The operations and runs a run's running steps drive (their ids are kept in the step's detail). */
function childrenOf(view: OperationView): string[] {
  if (view.kind !== 'runbook') return [];
  return view.steps.filter((s) => s.state === 'running').flatMap((s) => [s.detail?.operationId, s.detail?.runId].filter((x): x is string => typeof x === 'string'));
}

/** GET an operation, riding out a restarting API or a passing 5xx for a while. */
function pollerOf(client: ApiClient, options: FollowOptions) {
  const sleep = options.sleep ?? sleepFor;
  const maxFailures = options.maxPollFailures ?? 30;
  return async (id: string): Promise<OperationView> => {
    for (let failures = 0; ; failures++) {
      try {
        return (await client.get<{ operation: OperationView }>(`/v1/operations/${encodeURIComponent(id)}`)).body.operation;
      } catch (e) {
        const transient = e instanceof ApiUnreachable || (e instanceof ApiError && e.status >= 500);
        if (!transient || failures >= maxFailures) throw e;
        if (failures === 0) options.out.notice(`  (lost the API while following ${id}: ${errorShapeOf(e).message}; retrying)`);
        await sleep(Math.min(5000, Math.max(options.pollMs, 250) * 2 ** Math.min(failures, 4)));
      }
    }
  };
}

/** The closing lines: `evacuate op_… succeeded in 3.2 s: …`, and a run's outputs. */
export function closingLines(view: OperationView): string[] {
  const time = took(view.startedAt ?? view.createdAt, view.finishedAt);
  const summary = view.result?.summary;
  const lines = [`${view.kind} ${view.id} ${view.state}${time ? ` in ${time}` : ''}${summary && view.state === 'succeeded' ? `: ${summary}` : ''}`];
  const outputs = view.result?.outputs;
  if (outputs && Object.keys(outputs).length > 0) {
    lines.push('outputs:', ...outputLines(outputs, '  '));
  }
  return lines;
}


/**
 * Report a finished operation or run and say how to exit: the closing lines (JSON: the
 * view as the one document), and for anything but success its error on stderr; 0 when it
 * succeeded, 1 when it failed, was refused or was cancelled.
 */
export function reportFinished(view: OperationView, out: Output): ExitCode {
  out.document({ operation: view });
  for (const line of closingLines(view)) out.say(line);
  if (view.state === 'succeeded') return EXIT.OK;
  if (view.error) out.error(problemShape(view.error));
  else if (view.state === 'cancelled') out.error({ code: 'LB_ERR_CANCELLED', message: `${view.kind} ${view.id} was cancelled${view.cancel ? ` by ${view.cancel.by}` : ''}` });
  return EXIT.FAILED;
}
