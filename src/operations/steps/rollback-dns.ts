import { changeIdsOf, awaitInSync } from './stage-weights';
import type { StepHandler } from './step-context';

export const rollbackDns: StepHandler = (ctx) => awaitInSync(ctx, changeIdsOf(ctx, 'rollback/weights'));
