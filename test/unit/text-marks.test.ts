import { describe, expect, it } from 'vitest';
import type { OperationView, ViewStep } from '../../src/operations/operation-views';
import { MARKS, stepMark } from '../../src/text/marks';
import { operationDetailLines } from '../../src/text/operation-text';
import { ProgressNews } from '../../src/text/progress-news';
import { endedStepLine, startedStepLine, stepDetailLine } from '../../src/text/step-text';

const NOW = Date.parse('2026-11-24T12:05:00.000Z');

const step = (over: Partial<ViewStep>): ViewStep => ({ id: 'prescale', kind: 'prescale', title: 'Pre-scale 2 group(s)', state: 'pending', attempts: 0, ...over });

const running = step({ state: 'running', attempts: 1, startedAt: '2026-11-24T12:00:00.000Z' });

const view = (steps: ViewStep[]): OperationView => ({
  id: 'op_1',
  kind: 'evacuate',
  state: 'running',
  actor: 'repl:alice',
  request: { kind: 'evacuate', region: 'us-east-1' },
  regions: ['us-east-1'],
  createdAt: '2026-11-24T12:00:00.000Z',
  startedAt: '2026-11-24T12:00:00.000Z',
  forced: false,
  steps,
  links: { self: '/v1/operations/op_1', cancel: '/v1/operations/op_1/cancel' },
});

describe('one set of step marks', () => {
  it('gives each step state its own mark: pending ·, running ▸, succeeded ✓, failed ✗, skipped -', () => {
    expect(['pending', 'running', 'succeeded', 'failed', 'skipped'].map((state) => stepMark({ state: state as ViewStep['state'] }))).toEqual(['·', '▸', '✓', '✗', '-']);
    expect(new Set(Object.values(MARKS)).size).toBe(Object.keys(MARKS).length);
  });

  it('marks a running step the same in every view: announced as it starts, and in the detail of op(id) and `op <id>`', () => {
    expect(startedStepLine(running)).toBe('▸ prescale: Pre-scale 2 group(s)');
    expect(stepDetailLine(running, NOW)).toBe('▸ prescale: Pre-scale 2 group(s) (running 5m 00s)');
    const news = new ProgressNews({ layout: 'nested' }).lines(view([running]), NOW).map((l) => l.text);
    expect(news).toEqual(['  ▸ prescale: Pre-scale 2 group(s)']);
    expect(operationDetailLines(view([running]), NOW)).toContain('    ▸ prescale: Pre-scale 2 group(s) (running 5m 00s)');
  });

  it('marks a running step the runbook engine flagged stuck with ⚠, in the detail and in the notice while following', () => {
    const stuck = { ...running, stuck: true };
    expect(stepDetailLine(stuck, NOW)).toBe('⚠ prescale: Pre-scale 2 group(s) (running 5m 00s, stuck)');
    const lines = new ProgressNews({ layout: 'inline' }).lines(view([stuck]), NOW);
    expect(lines).toEqual([{ text: '  ⚠ prescale looks stuck: running for 5m 00s, much longer than this step usually takes', notice: true }]);
  });

  it('marks a step that ended after being flagged stuck by how it ended, and says it was stuck', () => {
    const ended = step({ state: 'succeeded', attempts: 1, stuck: true, outcome: '2 group(s) pinned', startedAt: '2026-11-24T12:00:00.000Z', finishedAt: '2026-11-24T12:04:00.000Z' });
    expect(stepDetailLine(ended, NOW)).toBe('✓ prescale: 2 group(s) pinned (4m 00s, was stuck)');
  });

  it('shows an ended step with the same line whether the REPL, the CLI or the demo follows it', () => {
    const failed = step({ state: 'failed', attempts: 1, error: { code: 'LB_ERR_CAPACITY_TIMEOUT', message: 'no capacity' }, startedAt: '2026-11-24T12:00:00.000Z', finishedAt: '2026-11-24T12:00:02.500Z' });
    const skipped = step({ id: 'announce', state: 'skipped', outcome: 'skipped: no webhook', startedAt: '2026-11-24T12:00:00.000Z', finishedAt: '2026-11-24T12:00:00.000Z' });
    expect(endedStepLine(failed)).toBe('✗ prescale: LB_ERR_CAPACITY_TIMEOUT: no capacity (2.5 s)');
    expect(endedStepLine(skipped)).toBe('- announce: skipped: no webhook');
    const inline = new ProgressNews({ layout: 'inline' }).lines(view([failed, skipped]), NOW);
    const nested = new ProgressNews({ layout: 'nested' }).lines(view([failed, skipped]), NOW);
    expect(inline).toEqual([{ text: '  ✗ prescale: LB_ERR_CAPACITY_TIMEOUT: no capacity (2.5 s)' }, { text: '  - announce: skipped: no webhook' }]);
    expect(nested).toEqual(inline);
  });

  it('shows a state this build does not know as ?', () => {
    expect(stepMark({ state: 'paused' as ViewStep['state'] })).toBe('?');
  });
});
