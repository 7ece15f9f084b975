import { describe, expect, it } from 'vitest';
import { COMMAND_ROLES, requireRole } from '../../repl/repl-roles';
import type { ReplSession } from '../../repl/repl-session';
import { submitCommands } from '../../repl/submit-commands';

/** The commands the REPL offers that change the world: each one's name, read from the commands themselves. */
const changing = Object.keys(submitCommands({ deps: {}, actor: 'repl:test', out: () => undefined } as unknown as ReplSession));

describe('REPL roles', () => {
  it('every command that starts an operation needs the operator role, reconcile() included', () => {
    expect(changing.length).toBeGreaterThan(0);
    expect(changing.filter((name) => COMMAND_ROLES[name] !== 'operator')).toEqual([]);
  });

  it('a viewer is refused each of them, naming the role it lacks', () => {
    expect(changing.length).toBeGreaterThan(0);
    for (const name of changing) expect(() => requireRole({ name: 'vera', roles: ['viewer'] }, name)).toThrow(`vera does not have the operator role ${name}() needs`);
  });
});
