import { didYouMean } from '../../core/suggest';
import { refreshReadiness } from '../../operations/refresh-readiness';
import type { Action } from '../action-context';
import { invalidInput } from '../action-context';
import { readinessByRegion } from '../run-scope';

/**
 * readiness: the N+1 check now — could the other regions absorb each region (or the one
 * given) under their ceilings? Outputs `ready`, and per region `ready` and `minHeadroom`.
 */
export const readinessAction: Action = async (ctx) => {
  const report = await refreshReadiness(ctx.deps);
  const regions = readinessByRegion(report);
  const region = typeof ctx.inputs.region === 'string' ? ctx.inputs.region : undefined;
  if (region) {
    const r = Object.hasOwn(regions, region) ? regions[region] : undefined;
    if (!r) throw invalidInput(ctx, 'region', `${region} is not a managed region${didYouMean(region, Object.keys(regions))}`);
    return { outcome: `${region}: ${r.ready ? 'the others can absorb it' : 'the others cannot absorb it'}`, outputs: { region, ready: r.ready, minHeadroom: r.minHeadroom } };
  }
  const notReady = Object.entries(regions).filter(([, r]) => !r.ready).map(([k]) => k);
  return { outcome: notReady.length ? `not N+1 ready: ${notReady.join(', ')} could not be absorbed` : 'N+1 ready: every region can be absorbed by the others', outputs: { ready: report.ready, regions, notReady } };
};
