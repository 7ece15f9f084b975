import type { Identity } from '../src/operations/tokens';
import type { RunbookDeps } from '../src/runbooks/action-context';
import type { HowToApprove, HowToRun } from '../src/text/operation-text';
import type { Watches } from './watches';

/** What every REPL command works with: lifeboat's use cases, who acts, where printing goes, the watches in progress. */
export interface ReplSession {
  deps: RunbookDeps;
  /** Who acts: a token's owner and roles (repl-actor.ts). */
  identity: Identity;
  /** Recorded on every operation: repl:<name>. */
  actor: string;
  out: (text: string) => void;
  /** How often wait() polls. */
  pollMs: number;
  watches: Watches;
}

/** How the REPL says to run a next step. */
export const replRunCommand: HowToRun = (next) => `await ${next.kind}('${next.region}')`;

/** How the REPL says to approve a paused run. */
export const replApproveCommand: HowToApprove = (id, decision) => (decision === 'reject' ? `await approve('${id}', {reject: true})` : `await approve('${id}')`);
