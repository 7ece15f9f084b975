import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CapacityModel, ModelCatalog } from '../../core/models/capacity-model';
import { checkFallbacks, compileModel } from '../../core/models/capacity-model';
import { packageRoot } from '../../operations/package-root';

/** Where the shipped models live; LIFEBOAT_MODELS_DIR points elsewhere. */
const DEFAULT_MODELS_DIR = join(packageRoot(), 'models');

/** Load and compile every models/*.yaml once; the first bad file stops start-up with its name and field. */
export function loadModels(dir: string = process.env.LIFEBOAT_MODELS_DIR ?? DEFAULT_MODELS_DIR): ModelCatalog {
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const catalog = new Map<string, CapacityModel>();
  for (const f of files) {
    const path = join(dir, f);
    const shown = relative(process.cwd(), path) || path;
    const model = compileModel(shown, readFileSync(path, 'utf8'));
    catalog.set(model.name, model);
  }
  checkFallbacks(catalog);
  return catalog;
}
