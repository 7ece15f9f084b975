import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { LifeboatError } from '../../core/errors';
import type { Schedule } from '../../jobs/maintenance';
import type { RunbookCatalog } from '../../runbooks/runbook-catalog';
import { runbookNamed } from '../../runbooks/runbook-catalog';

const schedulesSchema = z.array(
  z
    .object({
      runbook: z.string(),
      cron: z.string().min(9),
      tz: z.string().optional(),
      params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    })
    .strict(),
);

/** The runbook schedules of LIFEBOAT_SCHEDULES_FILE, each naming a runbook that exists. */
export function loadSchedules(file: string | undefined, deps: { runbooks: RunbookCatalog }): Schedule[] {
  if (!file) return [];
  const parsed = schedulesSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LifeboatError('LB_ERR_VALIDATION', `${file}: ${issue.path.join('.')}: ${issue.message}`, { file });
  }
  for (const s of parsed.data) runbookNamed(deps.runbooks, s.runbook);
  return parsed.data;
}
