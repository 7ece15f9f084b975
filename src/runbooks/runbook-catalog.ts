import { LifeboatError } from '../core/errors';
import { closestMatch, didYouMean } from '../core/suggest';
import type { Runbook } from '../core/runbooks/runbook-schema';

/** Every runbook lifeboat knows, by name: loaded and validated once at start (src/app/loaders). */
export type RunbookCatalog = ReadonlyMap<string, Runbook>;

export function runbookNamed(catalog: RunbookCatalog, name: string): Runbook {
  const runbook = catalog.get(name);
  if (!runbook) {
    const known = [...catalog.keys()];
    const suggestion = closestMatch(name, known);
    throw new LifeboatError('LB_ERR_UNKNOWN_RUNBOOK', `no runbook named ${name}${didYouMean(name, known)} (have: ${known.join(', ')})`, { runbook: name, ...(suggestion ? { suggestion } : {}) });
  }
  return runbook;
}
