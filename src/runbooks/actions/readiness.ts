import type { Action } from '../action-context';

/**
 * readiness: the N+1 check now — could the other regions absorb each region (or the one
 * given) under their ceilings? Outputs `ready`, and per region `ready` and `minHeadroom`.
 */
export const readinessAction: Action = async (ctx) => {
  const scope = await ctx.scope({ readiness: true });
  const report = scope.readiness as Record<string, unknown> & { ready: boolean };
  const region = typeof ctx.inputs.region === 'string' ? ctx.inputs.region : undefined;
  if (region) {
    const r = report[region] as { ready: boolean; minHeadroom: number | null } | undefined;
    if (!r) throw new TypeError(`step ${ctx.step.id}: region ${region} is not managed`);
    return { outcome: `${region}: ${r.ready ? 'the others can absorb it' : 'the others cannot absorb it'}`, outputs: { region, ready: r.ready, minHeadroom: r.minHeadroom } };
  }
  const regions = Object.fromEntries(Object.entries(report).filter(([k]) => k !== 'ready'));
  const notReady = Object.entries(regions).filter(([, r]) => !(r as { ready: boolean }).ready).map(([k]) => k);
  return { outcome: notReady.length ? `not N+1 ready: ${notReady.join(', ')} could not be absorbed` : 'N+1 ready: every region can be absorbed by the others', outputs: { ready: report.ready, regions, notReady } };
};
