import { inspect } from 'node:util';
import type { OperationView } from '../src/operations/operation-views';
import type { OperationHandle, WaitOptions } from './operation-handle';
import { formatLifeboatError, isRefusal } from './refusals';

/**
 * What evacuate(), shift(), restore(), scale() and reconcile() return: a promise of the
 * operation's handle, as typed, that also answers the handle's methods. At 3 a.m. the
 * `await` gets forgotten (`const ev = evacuate('us-east-1')`, then `ev.wait()`): the
 * methods still work, and say how to hold the handle itself next time. A refusal nobody
 * awaits is printed as a refusal, not as an unhandled rejection's stack trace.
 */
export type PendingOperation = Promise<OperationHandle> & Pick<OperationHandle, 'wait' | 'refresh' | 'cancel'> & { readonly id: string | undefined };

export function pendingOperation(submitted: Promise<OperationHandle>, call: string, out: (text: string) => void): PendingOperation {
  let observed = false;
  const note = (method: string) =>
    out(`(${call} returns a promise: it was not awaited, so .${method}() waits for the submission first. Next time: const op = await ${call})`);
  const later = <T>(method: string, use: (handle: OperationHandle) => Promise<T>): Promise<T> => {
    observed = true;
    note(method);
    return submitted.then(use);
  };
  let submittedHandle: OperationHandle | undefined;
  const pending = submitted.then(
    (handle) => {
      submittedHandle = handle;
      return handle;
    },
    (e: unknown) => {
      // Nobody awaited it: say what was refused here, since no prompt will.
      if (!observed) out(isRefusal(e) ? formatLifeboatError(e) : `${call} failed: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    },
  ) as PendingOperation;
  // The promise the REPL (or a caller) awaits is observed: its refusal is shown there.
  const then = pending.then.bind(pending);
  Object.defineProperty(pending, 'then', {
    enumerable: false,
    value: ((onFulfilled, onRejected) => {
      observed = true;
      return then(onFulfilled, onRejected);
    }) as typeof pending.then,
  });
  // The refusal is printed above when nobody awaits it; no unhandled rejection on top
  // (through the original then: this is not someone awaiting it).
  then(undefined, () => undefined);
  Object.assign(pending, {
    wait: (options?: WaitOptions): Promise<OperationView> => later('wait', (h) => h.wait(options)),
    refresh: (): Promise<OperationView> => later('refresh', (h) => h.refresh()),
    cancel: (options?: { rollback?: boolean }): Promise<OperationView> => later('cancel', (h) => h.cancel(options)),
  });
  // `ev.id` on the promise: the id once the submission is in (it takes milliseconds), and until
  // then, or after a refusal, a line saying how to get it instead of a bare undefined.
  Object.defineProperty(pending, 'id', {
    enumerable: false,
    get: () => {
      if (submittedHandle) return submittedHandle.id;
      out(`(${call} was not awaited and has no id yet: const op = await ${call}; then op.id)`);
      return undefined;
    },
  });
  Object.defineProperty(pending, inspect.custom, { enumerable: false, value: () => `Promise { ${call} — not awaited: const op = await ${call} gives the operation }` });
  return pending;
}

/** The commands that submit an operation, as the REPL context names them. */
export const SUBMIT_COMMANDS = ['evacuate', 'shift', 'restore', 'scale', 'reconcile'] as const;

/** Commands, with those that submit an operation returning a PendingOperation. */
export type WithPendingHandles<T> = {
  [K in keyof T]: K extends (typeof SUBMIT_COMMANDS)[number] ? (T[K] extends (...args: infer A) => Promise<OperationHandle> ? (...args: A) => PendingOperation : T[K]) : T[K];
};

/** The commands with each submitting one returning a PendingOperation (wrapped last, over the role checks). */
export function withPendingHandles<T extends object>(commands: T, out: (text: string) => void): WithPendingHandles<T> {
  const wrapped = { ...commands } as Record<string, unknown>;
  for (const name of SUBMIT_COMMANDS) {
    const command = wrapped[name];
    if (typeof command !== 'function') continue;
    wrapped[name] = (...args: unknown[]) => {
      const call = `${name}(${args.map((a) => inspect(a, { breakLength: Infinity, depth: 2 })).join(', ')})`;
      return pendingOperation((command as (...a: unknown[]) => Promise<OperationHandle>)(...args), call, out);
    };
  }
  return wrapped as WithPendingHandles<T>;
}
