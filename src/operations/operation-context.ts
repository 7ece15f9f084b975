import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which operation (and whose) the code running now works for: read by the audited cloud,
 * and by the logger, which puts the operation, step and region on every line.
 */
export interface OperationContext {
  operationId: string;
  actor: string;
  planHash(): string | undefined;
  /** The id of the step running now (prescale, shift-1, ...); absent between steps. */
  step?: string;
  /** The region the operation is about (evacuated, restored, scaled; a shift's source). */
  region?: string;
  /** Every region the operation holds a lease on. */
  regions?: readonly string[];
}

const current = new AsyncLocalStorage<OperationContext>();

export function withOperationContext<T>(context: OperationContext, work: () => Promise<T>): Promise<T> {
  return current.run(context, work);
}

export function currentOperation(): OperationContext | undefined {
  return current.getStore();
}
