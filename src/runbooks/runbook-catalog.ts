import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../config/load-models';
import { LifeboatError } from '../core/errors';
import { parseRunbookFile } from '../core/runbooks/parse-runbook';
import type { Runbook } from '../core/runbooks/runbook-schema';

export const DEFAULT_RUNBOOKS_DIR = join(packageRoot(), 'runbooks');

export type RunbookCatalog = ReadonlyMap<string, Runbook>;

/** Load and validate every runbooks/*.yaml; the first invalid one stops start-up with file:line. */
export function loadRunbooks(dir: string = process.env.LIFEBOAT_RUNBOOKS_DIR ?? DEFAULT_RUNBOOKS_DIR): RunbookCatalog {
  const catalog = new Map<string, Runbook>();
  for (const f of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('_')).sort()) {
    const path = join(dir, f);
    const runbook = parseRunbookFile(relative(process.cwd(), path) || path, readFileSync(path, 'utf8'));
    catalog.set(runbook.name, runbook);
  }
  return catalog;
}

export function runbookNamed(catalog: RunbookCatalog, name: string): Runbook {
  const runbook = catalog.get(name);
  if (!runbook) throw new LifeboatError('LB_ERR_UNKNOWN_RUNBOOK', `no runbook named ${name} (have: ${[...catalog.keys()].join(', ')})`, { runbook: name });
  return runbook;
}
