import { describe, expect, it } from 'vitest';
import type { Stage } from '../../src/core/planner/plan-types';
import type { CapacityProgress, Progress } from '../../src/operations/operation-types';
import type { OperationView, ViewStep } from '../../src/operations/operation-views';
import { capacityLine, progressBar } from '../../src/text/progress-bar';
import { ProgressNews } from '../../src/text/progress-news';
import { stageWeights, weightLines } from '../../src/text/weight-text';

const NOW = Date.parse('2026-11-24T12:01:00.000Z');

const awaitCapacity: ViewStep = { id: 'await-capacity', kind: 'await-capacity', title: 'Wait for capacity in service', state: 'running', attempts: 1, startedAt: '2026-11-24T12:00:00.000Z' };
const applyWeights: ViewStep = { id: 'stage-1/apply-weights', kind: 'apply-weights', stage: 1, title: 'Stage 1: set 2 weight(s)', state: 'pending', attempts: 0 };

const group = (region: string, inService: number): CapacityProgress => ({ region, group: `api-${region}`, service: 'api', inService, target: 16 });
const progress = (message: string, capacity: CapacityProgress[]): Progress => ({ step: 'await-capacity', message, at: '2026-11-24T12:00:30.000Z', capacity });

const stage: Stage = {
  index: 1,
  percent: 100,
  weights: [
    { zoneId: 'Z1', name: 'api.example.com', type: 'A', region: 'us-east-1', setIdentifier: 'us-east-1', from: 100, to: 0 },
    { zoneId: 'Z1', name: 'api.example.com', type: 'AAAA', region: 'us-east-1', setIdentifier: 'us-east-1', from: 100, to: 0 },
    { zoneId: 'Z1', name: 'api.example.com', type: 'A', region: 'us-west-2', setIdentifier: 'us-west-2', from: 100, to: 200 },
  ],
  traffic: [
    { name: 'api.example.com', region: 'us-east-1', weight: 0, share: 0 },
    { name: 'api.example.com', region: 'us-west-2', weight: 200, share: 1 },
  ],
  load: [],
};

function view(steps: ViewStep[], over: Partial<OperationView> = {}): OperationView {
  return {
    id: 'op_1',
    kind: 'evacuate',
    state: 'running',
    actor: 'repl:alice',
    request: { kind: 'evacuate', region: 'us-east-1' },
    regions: ['us-east-1'],
    createdAt: '2026-11-24T12:00:00.000Z',
    forced: false,
    steps,
    links: { self: '/v1/operations/op_1', cancel: '/v1/operations/op_1/cancel' },
    ...over,
  };
}

const texts = (news: ProgressNews, v: OperationView) => news.lines(v, NOW).map((l) => l.text);

describe('capacity bars', () => {
  it('fills a bar in proportion, full and no further at or above the target', () => {
    expect(progressBar(4, 16)).toBe('[█████░░░░░░░░░░░░░░░]');
    expect(progressBar(20, 16, 10, { fill: '#', empty: '-' })).toBe('[##########]');
    expect(progressBar(0, 0, 4)).toBe('[████]');
  });

  it('draws a group wide under a step (CLI, demo) and compact in the REPL, naming the region when the group does not', () => {
    expect(capacityLine(group('us-west-2', 4), 'wide', 15)).toBe('api-us-west-2    [█████░░░░░░░░░░░░░░░]    4/16 in service');
    expect(capacityLine(group('us-west-2', 12), 'compact')).toBe('[########--] 12/16 api-us-west-2');
    expect(capacityLine({ region: 'eu-west-1', group: 'web-blue', inService: 1, target: 2 }, 'compact')).toBe('[#####-----] 1/2 web-blue (eu-west-1)');
  });
});

describe('weight lines', () => {
  it('shows a stage per DNS name: each region once (its record types move together), from → to, and the share after', () => {
    expect(weightLines(stageWeights(stage), '    ')).toEqual(['    weights api.example.com: us-east-1 100→0 (0.0%), us-west-2 100→200 (100.0%)']);
  });

  it('shows weights as a step reported them, without what they were, when there is no plan to say', () => {
    const reported = [
      { name: 'api.example.com', region: 'us-east-1', weight: 50 },
      { name: 'www.example.com', region: 'us-east-1', weight: 1 },
      { name: 'api.example.com', region: 'us-west-2', weight: 150 },
    ];
    expect(weightLines(reported, '')).toEqual(['weights api.example.com: us-east-1 50, us-west-2 150', 'weights www.example.com: us-east-1 1']);
  });
});

describe('the news of an operation since the last view', () => {
  it('nested (CLI, demo): announces a step as it starts, its message and bars beneath, and says nothing when nothing changed', () => {
    const news = new ProgressNews({ layout: 'nested' });
    const first = view([awaitCapacity], { progress: progress('0 of 2 group(s) at capacity', [group('us-west-2', 4), group('eu-west-1', 16)]) });
    expect(texts(news, first)).toEqual([
      '  ▸ await-capacity: Wait for capacity in service',
      '      0 of 2 group(s) at capacity',
      '      api-us-west-2  [█████░░░░░░░░░░░░░░░]    4/16 in service',
      '      api-eu-west-1  [████████████████████]   16/16 in service',
    ]);
    expect(texts(news, first)).toEqual([]);
    const later = view([awaitCapacity], { progress: progress('0 of 2 group(s) at capacity', [group('us-west-2', 12), group('eu-west-1', 16)]) });
    expect(texts(news, later), 'only the group that moved').toEqual(['      api-us-west-2  [███████████████░░░░░]   12/16 in service']);
  });

  it('inline (REPL): a running step is not announced; its news is one `… step: message` line with compact bars', () => {
    const news = new ProgressNews({ layout: 'inline' });
    expect(texts(news, view([awaitCapacity], { progress: progress('1 of 2 group(s) at capacity', [group('us-west-2', 12)]) }))).toEqual([
      '  … await-capacity: 1 of 2 group(s) at capacity',
      '      [########--] 12/16 api-us-west-2',
    ]);
  });

  it('when a step ends, shows the capacity it recorded that the views in between missed, after its line', () => {
    const news = new ProgressNews({ layout: 'inline' });
    texts(news, view([awaitCapacity], { progress: progress('waiting', [group('us-west-2', 12)]) }));
    const ended = { ...awaitCapacity, state: 'succeeded' as const, outcome: '1 group(s) at capacity', finishedAt: '2026-11-24T12:00:45.000Z', detail: { capacity: [group('us-west-2', 16)] } };
    expect(texts(news, view([ended]))).toEqual(['  ✓ await-capacity: 1 group(s) at capacity (45.0 s)', '      [##########] 16/16 api-us-west-2']);
  });

  it('shows the weights a stage set once, from the plan, whether it saw the step running or only ended', () => {
    const plan = { stages: [stage] } as unknown as OperationView['plan'];
    const running = { ...applyWeights, state: 'running' as const, attempts: 1, startedAt: '2026-11-24T12:00:50.000Z' };
    const reported: Progress = { step: running.id, message: '2 weight(s) set', at: '2026-11-24T12:00:51.000Z', weights: [{ name: 'api.example.com', region: 'us-east-1', weight: 0 }] };
    const news = new ProgressNews({ layout: 'nested' });
    expect(texts(news, view([running], { plan, progress: reported }))).toEqual([
      '  ▸ stage-1/apply-weights: Stage 1: set 2 weight(s)',
      '      2 weight(s) set',
      '      weights api.example.com: us-east-1 100→0 (0.0%), us-west-2 100→200 (100.0%)',
    ]);
    const ended = { ...running, state: 'succeeded' as const, outcome: '2 weight(s) set', finishedAt: '2026-11-24T12:00:52.000Z' };
    expect(texts(news, view([ended], { plan }))).toEqual(['  ✓ stage-1/apply-weights: 2 weight(s) set (2.0 s)']);
    expect(texts(new ProgressNews({ layout: 'nested' }), view([ended], { plan }))).toEqual([
      '  ✓ stage-1/apply-weights: 2 weight(s) set (2.0 s)',
      '      weights api.example.com: us-east-1 100→0 (0.0%), us-west-2 100→200 (100.0%)',
    ]);
  });

  it('shows a step run again (a retry) again, with its attempt', () => {
    const news = new ProgressNews({ layout: 'nested' });
    texts(news, view([awaitCapacity]));
    const retry = { ...awaitCapacity, attempts: 2, startedAt: '2026-11-24T12:00:40.000Z' };
    expect(texts(news, view([retry]))).toEqual(['  ▸ await-capacity: Wait for capacity in service (attempt 2)']);
  });

  it('tells a new state after the first view, and who asked for a cancellation, but not the end (the closing lines do)', () => {
    const news = new ProgressNews({ layout: 'nested', indent: '' });
    expect(texts(news, view([], { state: 'queued' }))).toEqual([]);
    expect(texts(news, view([], { state: 'running' }))).toEqual(['op_1 is running']);
    expect(texts(news, view([], { state: 'cancelling', cancel: { at: '2026-11-24T12:00:59.000Z', by: 'api:bob', rollback: true } }))).toEqual(['op_1 is cancelling (asked by api:bob, with rollback)']);
    expect(texts(news, view([], { state: 'cancelled' }))).toEqual([]);
    expect(texts(new ProgressNews(), view([], { state: 'cancelling' })), 'cancelling is news even in the first view').toEqual(['  op_1 is cancelling']);
  });

  it('says once that a run waits for an approval, as a notice, with the surface`s own way to give it', () => {
    const waiting = view([], { id: 'run_1', kind: 'runbook', awaitingApproval: { stepId: 'gate', message: 'go?', since: '2026-11-24T12:00:00.000Z' } });
    const repl = new ProgressNews({ layout: 'inline', howToApprove: (id, d) => `approve('${id}'${d === 'reject' ? ', {reject: true}' : ''})` });
    expect(repl.lines(waiting, NOW)).toEqual([
      { text: "  ⏸ waiting for approval: go?  — approve with: approve('run_1')", notice: true },
      { text: "    (or reject with: approve('run_1', {reject: true}))", notice: true },
    ]);
    expect(repl.lines(waiting, NOW)).toEqual([]);
    expect(new ProgressNews().lines(waiting, NOW)).toEqual([{ text: '  ⏸ waiting for approval: go?', notice: true }]);
  });
});
