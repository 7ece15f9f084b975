import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, logFormatFrom } from '../../src/operations/logger';
import { withOperationContext } from '../../src/operations/operation-context';

const capture = () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
};

describe('log format', () => {
  it('is JSON unless asked for pretty, or a terminal outside production', () => {
    expect(logFormatFrom({}, false)).toBe('json');
    expect(logFormatFrom({}, true)).toBe('pretty');
    expect(logFormatFrom({ NODE_ENV: 'production' }, true)).toBe('json');
    expect(logFormatFrom({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(logFormatFrom({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormatFrom({ LOG_FORMAT: 'PRETTY', NODE_ENV: 'production' }, false)).toBe('pretty');
  });

  it('writes one JSON object per line, with the operation’s fields in its context', async () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', format: 'json', destination });
    log.info('outside');
    await withOperationContext({ operationId: 'op_1', actor: 'test', planHash: () => undefined, region: 'us-east-1', step: 'prescale' }, async () => {
      log.info({ group: 'api-a' }, 'inside');
    });
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.endsWith('\n') && l.trim().split('\n').length === 1)).toBe(true);
    const [outside, inside] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(outside).not.toHaveProperty('operationId');
    expect(inside).toMatchObject({ msg: 'inside', operationId: 'op_1', step: 'prescale', region: 'us-east-1', group: 'api-a', service: 'lifeboat' });
  });

  it('is one readable line per event when pretty', async () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', format: 'pretty', destination });
    await withOperationContext({ operationId: 'op_2', actor: 'test', planHash: () => undefined, region: 'eu-west-1', step: 'stage-1/verify' }, async () => {
      log.info({ durationMs: 12 }, 'step finished');
    });
    const text = lines.join('');
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(text).toMatch(/INFO.*step finished/);
    expect(text).toContain('op_2');
    expect(text).toContain('stage-1/verify');
    expect(() => JSON.parse(text)).toThrow();
  });
});
