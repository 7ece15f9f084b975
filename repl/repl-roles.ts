import { LifeboatError } from '../src/core/errors';
import type { Identity, Role } from '../src/operations/tokens';
import { hasRole } from '../src/operations/tokens';

/**
 * The role each REPL command needs: what the API asks of the same request (the route
 * catalog, src/api/route-catalog.ts). Commands not named here only read, which every role
 * may do.
 */
export const COMMAND_ROLES: Readonly<Record<string, Role>> = {
  plan: 'operator',
  evacuate: 'operator',
  shift: 'operator',
  restore: 'operator',
  scale: 'operator',
  reconcile: 'operator',
  prepareSwitches: 'operator',
  prepareDarkCapacity: 'operator',
  releaseDarkCapacity: 'operator',
  cancel: 'operator',
  approve: 'approver',
};

/** LB_ERR_FORBIDDEN unless `identity` may run `command`. */
export function requireRole(identity: Identity, command: string): void {
  const needed = COMMAND_ROLES[command];
  if (needed && !hasRole(identity, needed)) {
    throw new LifeboatError('LB_ERR_FORBIDDEN', `${identity.name} does not have the ${needed} role ${command}() needs`, { needed, roles: identity.roles });
  }
}

/** The commands, each checking the role it needs before it runs. */
export function withRoles<T extends object>(commands: T, identity: Identity): T {
  const guarded = { ...commands } as Record<string, unknown>;
  for (const name of Object.keys(COMMAND_ROLES)) {
    const command = guarded[name];
    if (typeof command !== 'function') continue;
    // Async, as the commands are: a refusal is a rejected promise, printed like any other.
    guarded[name] = async (...args: unknown[]) => {
      requireRole(identity, name);
      return (command as (...a: unknown[]) => Promise<unknown>)(...args);
    };
  }
  return guarded as T;
}
