import { setAndVerifyWeights, stageOf } from './stage-weights';
import type { StepHandler } from './step-context';

export const applyWeights: StepHandler = (ctx) => setAndVerifyWeights(ctx, stageOf(ctx).weights);
