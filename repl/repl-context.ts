import type { Redis } from 'ioredis';
import type { ModelCatalog } from '../src/core/models/capacity-model';
import { modelMath } from '../src/core/models/model-math';
import type { RunbookDeps } from '../src/runbooks/action-context';
import type { AwsReplClients } from './aws-clients';
import { lazyAwsClients } from './aws-clients';
import type { LookCommands } from './look-commands';
import { lookCommands } from './look-commands';
import type { OperationCommands } from './operation-commands';
import { operationCommands } from './operation-commands';
import type { Identity } from '../src/operations/tokens';
import { replActor } from './repl-actor';
import { REPL_HELP } from './repl-help';
import { withRoles } from './repl-roles';
import type { SubmitCommands } from './submit-commands';
import { submitCommands } from './submit-commands';
import { Watches } from './watches';
import type { WithPendingHandles } from './pending-operation';
import { withPendingHandles } from './pending-operation';

/**
 * What the on-call REPL puts in scope. Every change goes through submitOperation, the same
 * path as the API, so locks, audit and idempotency hold; the REPL only adds printing,
 * polling and short names. The commands live beside this file, one file per kind.
 */

export type { OperationHandle, WaitOptions } from './operation-handle';
export type { PendingOperation } from './pending-operation';

export interface ReplContext extends LookCommands, WithPendingHandles<SubmitCommands>, OperationCommands {
  /** Print a value as indented JSON (the REPL shows plans, views and snapshots as one-line summaries). */
  json(value: unknown): void;
  help(): void;
  models: ModelCatalog;
  math: typeof modelMath;
  aws: AwsReplClients;
  redis: Redis;
  lb: ReplLifeboat;
  deps: RunbookDeps;
}

/** What the REPL needs of the lifeboat it runs in (src/app's Lifeboat is one, with more for the improvising hand). */
interface ReplLifeboat {
  deps: RunbookDeps;
  redis: Redis;
}

interface ReplContextOptions {
  /** Who acts (replIdentity): recorded on every operation as repl:<name>; each command needs the role the API would ask for. */
  identity: Identity;
  /** Where printing goes; console.log by default. */
  out?: (text: string) => void;
  /** How often wait() polls; default 250 ms. */
  pollMs?: number;
}

const POLL_MS = 250;

const STOP_WATCHING = Symbol('lifeboat.repl.stopWatching');
const CLOSE = Symbol('lifeboat.repl.close');

/** Stop every wait() in progress (Ctrl+C in the REPL): they resolve with the last view; the operations go on. True when something was being watched. */
export function stopWatching(ctx: ReplContext): boolean {
  return ((ctx as unknown as Record<symbol, (() => number) | undefined>)[STOP_WATCHING]?.() ?? 0) > 0;
}

/** Stop watching and close the AWS clients the context made; the Lifeboat itself is the caller's. */
export function closeReplContext(ctx: ReplContext): void {
  (ctx as unknown as Record<symbol, (() => void) | undefined>)[CLOSE]?.();
}

export function createReplContext(lb: ReplLifeboat, options: ReplContextOptions): ReplContext {
  const { deps } = lb;
  const session = { deps, identity: options.identity, actor: replActor(options.identity), out: options.out ?? ((text: string) => console.log(text)), pollMs: options.pollMs ?? POLL_MS, watches: new Watches() };
  const aws = lazyAwsClients(deps.settings.LIFEBOAT_REGIONS);
  const ctx: ReplContext = {
    ...withPendingHandles(withRoles({ ...lookCommands(session), ...submitCommands(session), ...operationCommands(session) }, options.identity), session.out),
    json: (value) => session.out(JSON.stringify(value, null, 2)),
    help: () => session.out(REPL_HELP),
    models: deps.models,
    math: modelMath,
    get aws() {
      return aws.get();
    },
    redis: lb.redis,
    lb,
    deps,
  };
  // Hidden from the REPL's scope and completion: the REPL's own process calls these.
  Object.defineProperty(ctx, STOP_WATCHING, { enumerable: false, value: () => session.watches.stopAll() });
  Object.defineProperty(ctx, CLOSE, {
    enumerable: false,
    value: () => {
      session.watches.stopAll();
      aws.close();
    },
  });
  return ctx;
}
