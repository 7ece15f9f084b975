import { awaitInSync, changeIdsOf } from './stage-weights';
import type { StepHandler } from './step-context';

export const awaitDns: StepHandler = (ctx) => awaitInSync(ctx, changeIdsOf(ctx, `stage-${ctx.step.stage}/apply-weights`));
