import { fleetSchema, readinessSchema } from '../../operations/api-responses';
import { fleetTable } from '../../text/fleet-text';
import { readinessLines } from '../../text/readiness-text';
import { timestamp } from '../../text/units';
import type { Command } from '../command';
import { boolOpt, positionalsOf } from '../command';
import { EXIT } from '../exit-codes';

export const readiness: Command = {
  path: ['readiness'],
  usage: 'readiness [--refresh]',
  summary: 'N+1 readiness: could the others absorb each region?',
  details: 'Exits 0 when N+1 ready, 5 when not (the verdict is also in .readiness.ready with --json), so a script or a check can act on it.',
  options: {
    refresh: { type: 'boolean', help: 'recompute now instead of showing the latest scheduled report' },
  },
  async run(ctx, args) {
    positionalsOf(args, [], 'readiness');
    const { body } = await ctx.client().get('/v1/readiness', readinessSchema, { query: { refresh: boolOpt(args.values, 'refresh') ? 'true' : undefined } });
    ctx.out.document(body);
    for (const line of readinessLines(body.readiness, body.intervalSeconds, '--refresh')) ctx.out.say(line);
    return body.readiness.ready ? EXIT.OK : EXIT.NOT_READY;
  },
};

export const fleet: Command = {
  path: ['fleet'],
  usage: 'fleet',
  summary: 'capacity and traffic share per region and service',
  options: {},
  async run(ctx, args) {
    positionalsOf(args, [], 'fleet');
    const { body } = await ctx.client().get('/v1/fleet', fleetSchema);
    ctx.out.document(body);
    const s = body.snapshot;
    ctx.out.say(`fleet at ${timestamp(s.takenAt)}; regions: ${s.regions.join(', ')}`);
    ctx.out.say(`evacuated: ${body.evacuatedRegions.length ? body.evacuatedRegions.join(', ') : 'none'}`);
    ctx.out.say();
    ctx.out.say(fleetTable(s));
    if (s.warnings.length) {
      ctx.out.say();
      ctx.out.say(`warnings (${s.warnings.length}):`);
      for (const w of s.warnings) ctx.out.say(`  ${w.code}: ${w.message}`);
    }
    return EXIT.OK;
  },
};
