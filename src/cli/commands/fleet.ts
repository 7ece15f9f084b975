import { fleetSchema, readinessSchema } from '../../operations/api-responses';
import { demandTable } from '../../text/demand-text';
import { fleetTable } from '../../text/fleet-text';
import { formatTable } from '../../text/table';
import { timestamp } from '../../text/units';
import type { Command } from '../command';
import { boolOpt, positionalsOf } from '../command';
import { EXIT } from '../exit-codes';

export const readiness: Command = {
  path: ['readiness'],
  usage: 'readiness [--refresh]',
  summary: 'N+1 readiness: could the others absorb each region?',
  details: 'Exits 0 when the API answered, ready or not: the verdict is in the text, and in .readiness.ready with --json.',
  options: {
    refresh: { type: 'boolean', help: 'recompute now instead of showing the latest scheduled report' },
  },
  async run(ctx, args) {
    positionalsOf(args, [], 'readiness');
    const { body } = await ctx.client().get('/v1/readiness', readinessSchema, { query: { refresh: boolOpt(args.values, 'refresh') ? 'true' : undefined } });
    ctx.out.document(body);
    const r = body.readiness;
    const notReady = r.regions.filter((x) => !x.ready);
    ctx.out.say(r.ready ? 'N+1 ready: every region can be absorbed by the others' : `NOT N+1 ready: ${notReady.map((x) => x.region).join(', ')} could not be absorbed`);
    ctx.out.say(`computed ${timestamp(r.computedAt)} with the ${r.model} model (recomputed every ${body.intervalSeconds} s; --refresh for now)`);
    if (r.services?.length) ctx.out.say(`\ndemand (what each service is sized for):\n${demandTable(r.services)}`);
    ctx.out.say();
    ctx.out.say(formatTable(['region', 'ready', 'min headroom', 'blockers'], r.regions.map((x) => [x.region, x.ready ? 'yes' : 'NO', x.minHeadroom === null ? '-' : String(x.minHeadroom), x.blockers.map((b) => b.code).join(', ')])));
    for (const region of notReady) {
      const short = region.services.flatMap((s) => s.survivors.filter((v) => v.headroom < 0).map((v) => [s.service, v.region, v.needed, v.obtainable, v.headroom]));
      if (short.length === 0) continue;
      ctx.out.say();
      ctx.out.say(`if ${region.region} were evacuated, these would be short:`);
      ctx.out.say(formatTable(['service', 'survivor', 'needed', 'obtainable', 'headroom'], short));
    }
    return EXIT.OK;
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
