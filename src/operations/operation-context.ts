import { AsyncLocalStorage } from 'node:async_hooks';

/** Which operation (and whose) the code running now works for: read by the audited cloud. */
export interface OperationContext {
  operationId: string;
  actor: string;
  planHash(): string | undefined;
}

const current = new AsyncLocalStorage<OperationContext>();

export function withOperationContext<T>(context: OperationContext, work: () => Promise<T>): Promise<T> {
  return current.run(context, work);
}

export function currentOperation(): OperationContext | undefined {
  return current.getStore();
}
