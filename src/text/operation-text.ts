import type { NextStep } from '../operations/operation-types';
import type { OperationView } from '../operations/operation-views';
import { shareLines } from './weight-text';
import { describeOperation, requestFields, requestTarget } from './request-text';
import { stepDetailLine } from './step-text';
import { formatTable } from './table';
import { timestamp, took } from './units';

/** Operations and runbook runs as the REPL, the CLI and the demo show them. */

/** The command that approves (or rejects) a paused run, in the surface's own words: `npx lifeboat op <id> approve`. */
export type HowToApprove = (id: string, decision: 'approve' | 'reject') => string;

/** A run's outputs, one `name = value` line each: text as it is, anything else as JSON. */
function outputLines(outputs: Record<string, unknown>, indent: string): string[] {
  return Object.entries(outputs).map(([k, v]) => `${indent}${k} = ${typeof v === 'string' ? v : JSON.stringify(v)}`);
}

/** How it ended, in one phrase: its result's summary, or its error. */
function outcomeOf(view: OperationView): string | undefined {
  return view.result?.summary ?? (view.error ? `${view.error.code}: ${view.error.message}` : undefined);
}

/** One sentence: `Operation op_… (evacuate us-east-1 by repl:alice): succeeded — <summary>`. */
export function operationSummary(view: OperationView): string {
  const outcome = outcomeOf(view);
  return `Operation ${view.id} (${describeOperation(view)} by ${view.actor}): ${view.state}${outcome ? ` — ${outcome}` : ''}`;
}

/** The head of a detail, in columns: `op_…  evacuate us-east-1  succeeded`. */
export function operationHeadline(view: OperationView): string {
  return `${view.id}  ${describeOperation(view)}  ${view.state}`;
}

/** An operation or run in detail, field by field, then its steps with their marks; `now` times what still runs. */
export function operationDetailLines(view: OperationView, now: number, howToApprove?: HowToApprove): string[] {
  const out: string[] = [];
  const field = (name: string, value: string) => out.push(`  ${name.padEnd(9)} ${value}`);
  field('actor', view.actor);
  field('created', timestamp(view.createdAt));
  if (view.startedAt) field('started', timestamp(view.startedAt));
  if (view.finishedAt) field('finished', `${timestamp(view.finishedAt)} (took ${took(view.startedAt ?? view.createdAt, view.finishedAt) ?? '?'})`);
  else if (view.startedAt) field('running', took(view.startedAt, undefined, now) ?? '?');
  if (view.forced) field('forced', 'yes (blockers were overridden with --force)');
  if (view.cancel) field('cancel', `asked by ${view.cancel.by} at ${timestamp(view.cancel.at)}${view.cancel.rollback ? ', with rollback' : ''}`);
  field('request', requestFields(view.request));
  if (view.progress && !view.finishedAt) field('progress', `${view.progress.step}: ${view.progress.message}`);
  if (view.awaitingApproval) {
    field('approval', `waiting since ${timestamp(view.awaitingApproval.since)}: ${view.awaitingApproval.message}`);
    if (howToApprove) out.push(`            approve with: ${howToApprove(view.id, 'approve')}   (or reject with: ${howToApprove(view.id, 'reject')})`);
  }
  if (view.plan) field('plan', `${view.plan.groupChanges.length} group change(s), ${view.plan.stages.length} stage(s)${view.plan.blockers.length ? `; blockers: ${view.plan.blockers.map((b) => b.code).join(', ')}` : ''}`);
  if (view.steps.length) {
    out.push('  steps');
    for (const s of view.steps) out.push(`    ${stepDetailLine(s, now)}`);
  }
  if (view.error) field('error', `${view.error.code}: ${view.error.message}`);
  if (view.result) field('result', view.result.summary);
  const outputs = view.result?.outputs;
  if (outputs && Object.keys(outputs).length) out.push('  outputs', ...outputLines(outputs, '    '));
  return out;
}

/** The command that runs a next step in the surface's own words: `await restore('us-east-1')`, `npx lifeboat restore us-east-1`. */
export type HowToRun = (next: NextStep) => string;

/**
 * The closing lines once it has ended: `evacuate op_… succeeded in 3.2 s: <summary>`, a run's
 * outputs, and after a cancel part-way the traffic share it left and the command to run next.
 */
export function closingLines(view: OperationView, howToRun?: HowToRun): string[] {
  const time = took(view.startedAt ?? view.createdAt, view.finishedAt);
  const summary = view.result?.summary;
  const lines = [`${view.kind} ${view.id} ${view.state}${time ? ` in ${time}` : ''}${summary && view.state === 'succeeded' ? `: ${summary}` : ''}`];
  const trafficNow = view.result?.trafficNow;
  if (trafficNow?.length) lines.push(...shareLines(trafficNow, '  traffic now, '));
  const next = view.result?.next;
  if (next) lines.push(`  next: ${howToRun ? howToRun(next) : `${next.kind} ${next.region}`}  (${next.why})`);
  const outputs = view.result?.outputs;
  if (outputs && Object.keys(outputs).length > 0) lines.push('outputs:', ...outputLines(outputs, '  '));
  return lines;
}

/** Operations and runs, one row each: what, where it is, who asked, when and for how long. */
export function operationsTable(views: readonly OperationView[], now: number): string {
  return formatTable(
    ['id', 'kind', 'state', 'actor', 'target', 'created', 'took'],
    views.map((o) => [o.id, o.kind, o.state + (o.awaitingApproval ? ' (awaiting approval)' : ''), o.actor, requestTarget(o.kind, o.request), timestamp(o.createdAt), took(o.startedAt, o.finishedAt, now) ?? '-']),
    '',
  );
}
