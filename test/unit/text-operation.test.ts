import { describe, expect, it } from 'vitest';
import type { FleetSnapshot } from '../../src/core/fleet';
import type { OperationView } from '../../src/operations/operation-views';
import { fleetTable } from '../../src/text/fleet-text';
import { closingLines, operationDetailLines, operationHeadline, operationSummary, operationsTable } from '../../src/text/operation-text';
import { problemText } from '../../src/text/problem-text';

const NOW = Date.parse('2026-11-24T12:10:00.000Z');

const done: OperationView = {
  id: 'op_1',
  kind: 'scale',
  state: 'succeeded',
  actor: 'repl:alice',
  request: { kind: 'scale', region: 'us-west-2', service: 'api', desiredCapacity: 12 },
  regions: ['us-west-2'],
  createdAt: '2026-11-24T12:00:00.000Z',
  startedAt: '2026-11-24T12:00:00.500Z',
  finishedAt: '2026-11-24T12:00:03.700Z',
  forced: false,
  steps: [{ id: 'scale', kind: 'prescale', title: 'Set 1 group', state: 'succeeded', attempts: 1, outcome: '1 group(s) set', startedAt: '2026-11-24T12:00:00.500Z', finishedAt: '2026-11-24T12:00:01.000Z' }],
  result: { summary: 'scale api in us-west-2 to 12: done', groupsChanged: 1, weightChanges: 0, stagesApplied: 0 },
  links: { self: '/v1/operations/op_1', cancel: '/v1/operations/op_1/cancel' },
};

describe('an operation as every surface shows it', () => {
  it('sums it up in one sentence (the REPL) and one headline (`op <id>`), with the same words for the request', () => {
    expect(operationSummary(done)).toBe('Operation op_1 (scale api in us-west-2 to 12 by repl:alice): succeeded — scale api in us-west-2 to 12: done');
    expect(operationHeadline(done)).toBe('op_1  scale api in us-west-2 to 12  succeeded');
  });

  it('closes with its kind, id, state, time and summary, and a run`s outputs', () => {
    expect(closingLines(done)).toEqual(['scale op_1 succeeded in 3.2 s: scale api in us-west-2 to 12: done']);
    const run = { ...done, id: 'run_1', kind: 'runbook' as const, result: { ...done.result!, outputs: { verdict: 'ok', moved: 2 } } };
    expect(closingLines(run)).toEqual(['runbook run_1 succeeded in 3.2 s: scale api in us-west-2 to 12: done', 'outputs:', '  verdict = ok', '  moved = 2']);
    const { result: _result, ...failed } = done;
    expect(closingLines({ ...failed, state: 'failed' })).toEqual(['scale op_1 failed in 3.2 s']);
  });

  it('lists operations with who asked, what for and how long it took', () => {
    expect(operationsTable([done], NOW).split('\n')).toEqual([
      'id    kind   state      actor       target                  created               took',
      'op_1  scale  succeeded  repl:alice  api in us-west-2 to 12  2026-11-24 12:00:00Z  3.2 s',
    ]);
  });

  it('details a paused run with the surface`s way to approve it', () => {
    const { finishedAt: _finished, result: _result, ...started } = done;
    const paused: OperationView = { ...started, id: 'run_2', kind: 'runbook', state: 'running', request: { runbook: 'game-day', params: { region: 'us-east-1' } }, awaitingApproval: { stepId: 'gate', message: 'go?', since: '2026-11-24T12:00:02.000Z' } };
    const lines = operationDetailLines(paused, NOW, (id, d) => `approve ${id}${d === 'reject' ? ' --reject' : ''}`);
    expect(lines).toContain('  approval  waiting since 2026-11-24 12:00:02Z: go?');
    expect(lines).toContain('            approve with: approve run_2   (or reject with: approve run_2 --reject)');
    expect(lines).toContain('  running   10m 00s');
    expect(lines).toContain('  request   runbook=game-day region=us-east-1');
  });
});

describe('problems and the fleet', () => {
  it('shows a problem as CODE: message with the catalog`s hint beneath when it carries none', () => {
    expect(problemText({ code: 'LB_ERR_X', message: 'no', hint: 'do this' })).toBe('LB_ERR_X: no\n  hint: do this');
    expect(problemText({ code: 'LB_ERR_NOT_A_CODE', message: 'no' })).toBe('LB_ERR_NOT_A_CODE: no');
    expect(problemText({ code: 'LB_ERR_REGION_LOCKED', message: 'locked' })).toMatch(/^LB_ERR_REGION_LOCKED: locked\n {2}hint: \S/);
  });

  it('draws the fleet per region in the snapshot`s order, then service, weights and shares aligned right', () => {
    const snapshot = {
      regions: ['us-west-2', 'us-east-1'],
      capacity: [
        { service: 'web', region: 'us-east-1', inService: 4, desiredCapacity: 4, minSize: 1, maxSize: 12, trafficName: 'www.example.com' },
        { service: 'api', region: 'us-east-1', inService: 0, desiredCapacity: 0, minSize: 0, maxSize: 30, trafficName: 'api.example.com' },
        { service: 'api', region: 'us-west-2', inService: 10, desiredCapacity: 10, minSize: 2, maxSize: 30, trafficName: 'api.example.com' },
      ],
      traffic: [
        { name: 'api.example.com', region: 'us-east-1', weight: 0, share: 0 },
        { name: 'api.example.com', region: 'us-west-2', weight: 100, share: 1 },
      ],
    } as unknown as FleetSnapshot;
    expect(fleetTable(snapshot)).toBe(
      [
        '  region     service  in service  desired  min  max  traffic name     weight   share',
        '  us-west-2  api              10       10    2   30  api.example.com     100  100.0%',
        '  us-east-1  api               0        0    0   30  api.example.com       0    0.0%',
        '  us-east-1  web               4        4    1   12  www.example.com       -       -',
      ].join('\n'),
    );
  });
});
