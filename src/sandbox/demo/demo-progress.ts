import type { OperationView, ViewStep } from '../../operations/operation-views';
import type { CapacityProgress, Progress } from '../../operations/operation-types';
import { FINISHED_STATES } from '../../operations/operation-types';
import { CapacityBars } from '../../text/progress-bar';
import { seconds } from './demo-printing';

/**
 * Turns successive views of one operation (GET /v1/operations/:id) into the lines that say
 * what changed since the last view, and nothing else: a new state, a step starting, its
 * progress (a message, a group's capacity moving, weights set), a step finishing. Lines come
 * in step order even when several steps went by between two views.
 */
export class ProgressPrinter {
  private state: string | undefined;
  private readonly announced = new Set<string>();
  private readonly finished = new Set<string>();
  private lastMessage = '';
  private readonly capacity = new CapacityBars('      ', 3);
  private lastWeights = '';

  lines(view: OperationView): string[] {
    const out: string[] = [];
    const stateChanged = view.state !== this.state;
    this.state = view.state;
    const done = FINISHED_STATES.includes(view.state);
    if (stateChanged && !done) out.push(`  state: ${view.state}`);
    for (const step of view.steps) {
      const finished = isFinished(step);
      const progress = view.progress?.step === step.id && !this.finished.has(step.id) ? this.progressLines(view.progress) : [];
      if (step.state === 'running' || finished || progress.length > 0) out.push(...this.announce(step));
      out.push(...progress);
      if (finished && !this.finished.has(step.id)) {
        this.finished.add(step.id);
        // Capacity that came between two views still gets its bars, from what the step recorded.
        out.push(...this.capacity.changed(recordedCapacity(step)));
        out.push(finishedLine(step));
      }
    }
    if (stateChanged && done) out.push(`  state: ${view.state}`);
    return out;
  }

  private announce(step: ViewStep): string[] {
    if (this.announced.has(step.id)) return [];
    this.announced.add(step.id);
    return [`  ▸ ${step.title}`];
  }

  private progressLines(progress: Progress): string[] {
    const out: string[] = [];
    const message = `${progress.step}\u0000${progress.message}`;
    if (message !== this.lastMessage) {
      this.lastMessage = message;
      out.push(`      ${progress.message}`);
    }
    out.push(...this.capacity.changed(progress.capacity ?? []));
    const weights = weightLines(progress.weights ?? []);
    const key = `${progress.step}\u0000${weights.join('\n')}`;
    if (weights.length > 0 && key !== this.lastWeights) {
      this.lastWeights = key;
      out.push(...weights);
    }
    return out;
  }
}

/** Weights set, one line per DNS name: `api.example.com  us-east-1 50 · us-west-2 150`. */
function weightLines(weights: Array<{ name: string; region: string; weight: number }>): string[] {
  const byName = new Map<string, string[]>();
  for (const w of weights) byName.set(w.name, [...(byName.get(w.name) ?? []), `${w.region} ${w.weight}`]);
  const width = Math.max(0, ...[...byName.keys()].map((n) => n.length));
  return [...byName].map(([name, regions]) => `      weight  ${name.padEnd(width)}  ${regions.join(' · ')}`);
}

function recordedCapacity(step: ViewStep): CapacityProgress[] {
  const capacity = step.kind === 'await-capacity' ? step.detail?.capacity : undefined;
  return Array.isArray(capacity) ? (capacity as CapacityProgress[]) : [];
}

function isFinished(step: ViewStep): boolean {
  return step.state === 'succeeded' || step.state === 'failed' || step.state === 'skipped';
}

const MARKS: Record<string, string> = { succeeded: '✓', failed: '✗', skipped: '–' };

function finishedLine(step: ViewStep): string {
  const took = step.startedAt && step.finishedAt ? `  (${seconds(Date.parse(step.finishedAt) - Date.parse(step.startedAt))})` : '';
  const what = step.state === 'failed' ? (step.error ? `${step.error.code}: ${step.error.message}` : 'failed') : (step.outcome ?? step.state);
  return `    ${MARKS[step.state] ?? '?'} ${step.id}: ${what}${took}`;
}
