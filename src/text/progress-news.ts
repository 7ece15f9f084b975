import type { CapacityProgress, Progress } from '../operations/operation-types';
// operation-states, not operation-types: the CLI renders with this and stays free of zod.
import { FINISHED_STATES } from '../operations/operation-states';
import type { OperationState } from '../operations/operation-states';
import type { OperationView, ViewStep } from '../operations/operation-views';
import { MARKS } from './marks';
import type { HowToApprove } from './operation-text';
import { capacityLine } from './progress-bar';
import { endedStepLine, startedStepLine } from './step-text';
import { took } from './units';
import type { WeightShown } from './weight-text';
import { stageWeights, weightLines } from './weight-text';

/** A line of progress; a `notice` is for a person even when the rest is not shown (a stuck step, an approval to give). */
export interface ProgressLine {
  text: string;
  notice?: boolean;
}

/**
 * How progress is laid out. `nested` (the CLI, the demo): each step announced as it starts, its
 * news indented beneath, wide bars. `inline` (the REPL, where output shares the prompt): steps
 * shown when they end, a running step's news on one `… step: message` line, compact bars.
 * Marks, step lines, weights and notices are the same in both.
 */
type ProgressLayout = 'nested' | 'inline';

interface ProgressNewsOptions {
  layout?: ProgressLayout;
  /** Before every line (a nested run's operation is indented further). */
  indent?: string;
  /** How to approve a paused run from this surface; without it the notice only says that it waits. */
  howToApprove?: HowToApprove;
}

const NEWS_INDENT = '    ';

/**
 * Turns successive views of one operation or run into the lines that say what changed since
 * the last view, and nothing else: a state worth telling, a step starting, its news (a message,
 * a group's capacity moving, weights set), a step ending, a step flagged stuck, a pause at an
 * approval. Steps come in their order even when several went by between two views; a step
 * run again (a retry, a runbook's goto) shows again.
 */
export class ProgressNews {
  private readonly layout: ProgressLayout;
  private readonly indent: string;
  private readonly howToApprove: HowToApprove | undefined;
  /** What has been said: step starts and ends, stuck flags, approvals. */
  private readonly told = new Set<string>();
  /** The last text said under a key (a step's message, a group's count, a step's weights), to say only what changed. */
  private readonly last = new Map<string, string>();
  private state: OperationState | undefined;

  constructor(options: ProgressNewsOptions = {}) {
    this.layout = options.layout ?? 'nested';
    this.indent = options.indent ?? '  ';
    this.howToApprove = options.howToApprove;
  }

  /** What changed since the last view; `now` times a step that runs long. */
  lines(view: OperationView, now: number): ProgressLine[] {
    const out: ProgressLine[] = this.stateLines(view).map((text) => ({ text }));
    for (const step of view.steps) {
      if (step.state === 'pending') continue;
      if (step.state === 'running') out.push(...this.running(view, step, now));
      else out.push(...this.ended(view, step).map((text) => ({ text })));
    }
    out.push(...this.approval(view));
    return out;
  }

  /** A new state after the first view, unless it ended (the closing lines say that); cancelling always, and who asked. */
  private stateLines(view: OperationView): string[] {
    const first = this.state === undefined;
    const changed = view.state !== this.state;
    this.state = view.state;
    if (!changed || FINISHED_STATES.includes(view.state) || (first && view.state !== 'cancelling')) return [];
    const asked = view.state === 'cancelling' && view.cancel ? ` (asked by ${view.cancel.by}${view.cancel.rollback ? ', with rollback' : ''})` : '';
    return [`${this.indent}${view.id} is ${view.state}${asked}`];
  }

  private running(view: OperationView, step: ViewStep, now: number): ProgressLine[] {
    const out: ProgressLine[] = [];
    if (this.layout === 'nested' && this.once(`started ${step.id}@${step.startedAt ?? ''}#${step.attempts}`)) out.push({ text: `${this.indent}${startedStepLine(step)}` });
    if (view.progress?.step === step.id) out.push(...this.news(view, step, view.progress).map((text) => ({ text })));
    if (step.stuck && this.once(`stuck ${step.id}`)) {
      const running = took(step.startedAt, undefined, now);
      out.push({ text: `${this.indent}${MARKS.stuck} ${step.id} looks stuck: running${running ? ` for ${running}` : ''}, much longer than this step usually takes`, notice: true });
    }
    return out;
  }

  /** A step's end, once, then what it recorded that the views in between may have missed: its final capacity, the weights it set. */
  private ended(view: OperationView, step: ViewStep): string[] {
    if (!this.once(`ended ${step.id}@${step.finishedAt ?? ''}`)) return [];
    const recorded = (step.kind === 'await-capacity' || step.kind === 'follow-capacity') && Array.isArray(step.detail?.capacity) ? (step.detail.capacity as CapacityProgress[]) : [];
    const paced = step.kind === 'follow-capacity' ? pacedWeights(view, step) : undefined;
    return [`${this.indent}${endedStepLine(step)}`, ...this.bars(step, recorded), ...(step.state === 'succeeded' || paced ? this.weights(view, step, paced) : [])];
  }

  /** A running step's news: its message when it changes, then its capacity and weights. */
  private news(view: OperationView, step: ViewStep, progress: Progress): string[] {
    const out: string[] = [];
    if (progress.message && this.changed(`message ${step.id}`, progress.message)) {
      out.push(this.layout === 'nested' ? `${this.indent}${NEWS_INDENT}${progress.message}` : `${this.indent}${MARKS.news} ${step.id}: ${progress.message}`);
    }
    return [...out, ...this.bars(step, progress.capacity ?? []), ...this.weights(view, step, progress.weights)];
  }

  /** A bar for each group whose count changed since this step last showed it. */
  private bars(step: ViewStep, capacity: readonly CapacityProgress[]): string[] {
    const nameWidth = Math.max(0, ...capacity.map((c) => c.group.length));
    const style = this.layout === 'nested' ? 'wide' : 'compact';
    return capacity
      .filter((c) => this.changed(`capacity ${step.id} ${c.region} ${c.group}`, `${c.inService}/${c.target}`))
      .map((c) => `${this.indent}${NEWS_INDENT}${capacityLine(c, style, nameWidth)}`);
  }

  /** The weights a step set: its plan stage's (from → to, share after) when the view has the plan, else as the step reported them. */
  private weights(view: OperationView, step: ViewStep, reported: readonly WeightShown[] | undefined): string[] {
    const stage = step.kind === 'apply-weights' ? view.plan?.stages.find((s) => s.index === step.stage) : undefined;
    const shown = stage ? stageWeights(stage) : (reported ?? []);
    const lines = weightLines(shown, `${this.indent}${NEWS_INDENT}`);
    return lines.length > 0 && this.changed(`weights ${step.id}`, lines.join('\n')) ? lines : [];
  }

  private approval(view: OperationView): ProgressLine[] {
    const waiting = view.awaitingApproval;
    if (!waiting || !this.once(`approval ${waiting.stepId}@${waiting.since}`)) return [];
    const head = `${this.indent}${MARKS.awaitingApproval} waiting for approval: ${waiting.message}`;
    if (!this.howToApprove) return [{ text: head, notice: true }];
    return [
      { text: `${head}  — approve with: ${this.howToApprove(view.id, 'approve')}`, notice: true },
      { text: `${this.indent}  (or reject with: ${this.howToApprove(view.id, 'reject')})`, notice: true },
    ];
  }

  /** True the first time `key` is told. */
  private once(key: string): boolean {
    if (this.told.has(key)) return false;
    this.told.add(key);
    return true;
  }

  /** True when `text` differs from what was last said under `key` (and remembers it). */
  private changed(key: string, text: string): boolean {
    if (this.last.get(key) === text) return false;
    this.last.set(key, text);
    return true;
  }
}

/**
 * Where a capacity-paced step left each name it moved (its last recorded stage), from the
 * weights before its first: what the step did, however many stages it took.
 */
function pacedWeights(view: OperationView, step: ViewStep): WeightShown[] | undefined {
  type Paced = { name: string; weights: Record<string, number>; shares: Record<string, number> };
  const mine = (step.detail?.stages as Paced[] | undefined) ?? [];
  if (mine.length === 0) return undefined;
  const earlier = view.steps.slice(0, view.steps.indexOf(step)).filter((s) => s.kind === 'follow-capacity').flatMap((s) => (s.detail?.stages as Paced[] | undefined) ?? []);
  const firstStage = view.plan?.stages[0];
  const shown: WeightShown[] = [];
  for (const name of [...new Set(mine.map((s) => s.name))]) {
    const last = mine.filter((s) => s.name === name).at(-1)!;
    const before = earlier.filter((s) => s.name === name).at(-1)?.weights;
    for (const [region, weight] of Object.entries(last.weights)) {
      const from = before?.[region] ?? firstStage?.weights.find((w) => w.name === name && w.region === region)?.from;
      shown.push({ name, region, weight, ...(from !== undefined ? { from } : {}), share: last.shares[region] ?? 0 });
    }
  }
  return shown;
}
