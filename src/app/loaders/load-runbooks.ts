import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseRunbookFile } from '../../core/runbooks/parse-runbook';
import type { Runbook } from '../../core/runbooks/runbook-schema';
import { packageRoot } from '../../operations/package-root';
import type { RunbookCatalog } from '../../runbooks/runbook-catalog';

const DEFAULT_RUNBOOKS_DIR = join(packageRoot(), 'runbooks');

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
