import { operationOneSchema } from '../operations/api-responses';
// operation-states, not operation-types: the CLI stays free of zod.
import { FINISHED_STATES } from '../operations/operation-states';
import type { OperationView } from '../operations/operation-views';
import { closingLines } from '../text/operation-text';
import type { HowToApprove, HowToRun } from '../text/operation-text';
import { ProgressNews } from '../text/progress-news';
import type { ProgressLine } from '../text/progress-news';
import type { ApiClient } from './api-client';
import { ApiError, ApiUnreachable } from './api-client';
import type { Output } from './output';
import { errorShapeOf, problemShape } from './output';
import type { ExitCode } from './exit-codes';
import { EXIT } from './exit-codes';

export const isFinished = (view: Pick<OperationView, 'state'>): boolean => FINISHED_STATES.includes(view.state);

/** How the CLI says to run a next step. */
export const cliRunCommand: HowToRun = (next) => `npx lifeboat ${next.kind} ${next.region}`;

/** How the CLI says to approve a paused run. */
export const cliApproveCommand: HowToApprove = (id, decision) => `npx lifeboat op ${id} approve${decision === 'reject' ? ' --reject' : ''}`;

/**
 * The progress lines of `--wait` and `op <id> wait`: src/text's news of each view, nested under
 * the steps as they start, with the CLI's approve command; `now` defaults to the clock.
 */
export class ProgressPrinter extends ProgressNews {
  constructor(indent = '  ') {
    super({ layout: 'nested', indent, howToApprove: cliApproveCommand });
  }

  override lines(view: OperationView, now = Date.now()): ProgressLine[] {
    return super.lines(view, now);
  }
}

interface FollowOptions {
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
        return (await client.get(`/v1/operations/${encodeURIComponent(id)}`, operationOneSchema)).body.operation;
      } catch (e) {
        const transient = e instanceof ApiUnreachable || (e instanceof ApiError && e.status >= 500);
        if (!transient || failures >= maxFailures) throw e;
        if (failures === 0) options.out.notice(`  (lost the API while following ${id}: ${errorShapeOf(e).message}; retrying)`);
        await sleep(Math.min(5000, Math.max(options.pollMs, 250) * 2 ** Math.min(failures, 4)));
      }
    }
  };
}

/**
 * Report a finished operation or run and say how to exit: the closing lines (JSON: the
 * view as the one document), and for anything but success its error on stderr; 0 when it
 * succeeded, 1 when it failed, was refused or was cancelled.
 */
export function reportFinished(view: OperationView, out: Output): ExitCode {
  out.document({ operation: view });
  for (const line of closingLines(view, cliRunCommand)) out.say(line);
  if (view.state === 'succeeded') return EXIT.OK;
  if (view.error) out.error(problemShape(view.error));
  else if (view.state === 'cancelled') out.error({ code: 'LB_ERR_CANCELLED', message: `${view.kind} ${view.id} was cancelled${view.cancel ? ` by ${view.cancel.by}` : ''}` });
  return EXIT.FAILED;
}
