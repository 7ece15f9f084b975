import { cancelOperation, getOperation } from '../src/operations/activity';
import type { OperationState } from '../src/operations/operation-types';
import { FINISHED_STATES } from '../src/operations/operation-types';
import type { OperationView } from '../src/operations/operation-views';
import { closingLines, operationSummary } from '../src/text/operation-text';
import { formatLifeboatError } from './refusals';
import { ProgressNews } from '../src/text/progress-news';
import { describeOperation } from '../src/text/request-text';
import type { ReplSession } from './repl-session';
import { requireRole } from './repl-roles';
import { replApproveCommand, replRunCommand } from './repl-session';
import { summarized } from './summaries';

export interface WaitOptions {
  /** Give up watching (the operation goes on) after this long; by default watch until it ends. */
  timeoutMs?: number;
  /** Print steps, capacity bars and weights as they happen; default true. */
  progress?: boolean;
}

/** A submitted operation, as the REPL hands it back. */
export interface OperationHandle {
  readonly id: string;
  /** The latest state read (submission, refresh() or wait()). */
  readonly state: OperationState;
  /** The latest view read. */
  readonly view: OperationView;
  refresh(): Promise<OperationView>;
  /** Poll until the operation ends (or stopWatching / the timeout); resolves to the last view read. */
  wait(options?: WaitOptions): Promise<OperationView>;
  /** Ask it to stop at its next safe point; with rollback, weights and then capacity go back. */
  cancel(options?: { rollback?: boolean }): Promise<OperationView>;
}

/** A view as the REPL echoes it: one line, every field still there. */
export const shownView = (view: OperationView): OperationView => summarized(view, () => operationSummary(view));

/**
 * What wait() prints: where the operation is when the watch begins, then src/text's news of
 * each view (steps once, across waits), and how it ended.
 */
class WaitPrinter {
  private readonly news = new ProgressNews({ layout: 'inline', indent: '  ', howToApprove: replApproveCommand });

  constructor(private readonly out: (text: string) => void) {}

  print(view: OperationView, first: boolean): void {
    const lines = first ? [`${view.id} ${describeOperation(view)}: ${view.state}`] : [];
    lines.push(...this.news.lines(view, Date.now()).map((l) => l.text));
    if (FINISHED_STATES.includes(view.state)) {
      lines.push(...closingLines(view, replRunCommand));
      if (view.error && view.state !== 'succeeded') lines.push(`  ${formatLifeboatError(view.error)}`);
    }
    if (lines.length > 0) this.out(lines.join('\n'));
  }
}

/** The handle on one operation: refresh(), wait() with progress, cancel(). */
export function operationHandle(first: OperationView, session: ReplSession): OperationHandle {
  const { deps, out } = session;
  let view = first;
  const printer = new WaitPrinter(out);

  async function wait(options: WaitOptions = {}): Promise<OperationView> {
    const progress = options.progress !== false;
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    const watch = session.watches.begin();
    try {
      for (let first = true; ; first = false) {
        view = await getOperation(view.id, deps);
        if (progress) printer.print(view, first);
        if (FINISHED_STATES.includes(view.state)) return shownView(view);
        if (watch.now) {
          out(`stopped watching ${view.id}; it is still ${view.state}. await watch('${view.id}') watches again, await cancel('${view.id}') stops it.`);
          return shownView(view);
        }
        if (Date.now() >= deadline) throw new Error(`${view.id} is still ${view.state} after ${options.timeoutMs} ms (it goes on; wait() again or cancel() it)`);
        await session.watches.pause(Math.min(session.pollMs, deadline - Date.now()), watch);
      }
    } finally {
      session.watches.end(watch);
    }
  }

  const handle: OperationHandle = {
    id: first.id,
    get state() {
      return view.state;
    },
    get view() {
      return view;
    },
    async refresh() {
      view = await getOperation(view.id, deps);
      return shownView(view);
    },
    wait,
    async cancel(options = {}) {
      requireRole(session.identity, 'cancel');
      view = await cancelOperation(view.id, { by: session.actor, rollback: options.rollback ?? false }, deps);
      out(`cancel requested for ${view.id}${options.rollback ? ' (with rollback)' : ''}: it stops at its next safe point; it is ${view.state}`);
      return shownView(view);
    },
  };
  return summarized(handle, () => `${operationSummary(view)}  — .wait() .refresh() .cancel({rollback}) .view`);
}
