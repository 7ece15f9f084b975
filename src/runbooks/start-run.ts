import { parameterValueType } from '../core/runbooks/runbook-schema';
import { didYouMean } from '../core/suggest';
import { randomBytes } from 'node:crypto';
import { LifeboatError } from '../core/errors';
import type { Runbook } from '../core/runbooks/runbook-schema';
import type { OperationView } from '../operations/operation-views';
import type { RunbookDeps } from './action-context';
import { auditRequest } from '../operations/audit-request';
import { runbookNamed } from './runbook-catalog';
import type { RunData, RunStepRecord } from './run-types';
import { runViewOf } from './run-view';

interface RunRequester {
  actor: string;
  parentRunId?: string;
  /** A stable id makes starting idempotent (a child run started again after a crash). */
  id?: string;
  trigger?: RunData['trigger'];
}

/** Start a runbook run: check the parameters against the runbook's declarations, then queue it. */
export async function startRun(name: string, rawParams: Record<string, unknown>, who: RunRequester, deps: RunbookDeps): Promise<OperationView> {
  return auditRequest(
    deps,
    { actor: who.actor, action: 'run.start', inputs: { runbook: name, params: rawParams, ...(who.trigger ? { trigger: who.trigger } : {}) } },
    () => start(name, rawParams, who, deps),
    (view) => ({ operationId: view.id }),
  );
}

async function start(name: string, rawParams: Record<string, unknown>, who: RunRequester, deps: RunbookDeps): Promise<OperationView> {
  const runbook = runbookNamed(deps.runbooks, name);
  const params = checkRunParams(runbook, rawParams, deps.settings.LIFEBOAT_REGIONS);
  if (who.id) {
    // A stable id may have been started before (a child run started again after a crash); a random one is new.
    const existing = await deps.runs.get(who.id);
    if (existing) return runViewOf(existing);
  }
  const id = who.id ?? `run_${deps.clock.now().getTime().toString(36)}_${randomBytes(6).toString('hex')}`;
  const data: RunData = {
    id,
    kind: 'runbook',
    runbook: name,
    params,
    actor: who.actor,
    createdAt: deps.clock.now().toISOString(),
    ...(who.parentRunId ? { parentRunId: who.parentRunId } : {}),
    ...(who.trigger ? { trigger: who.trigger } : {}),
    checkpoint: {
      state: 'queued',
      steps: runbook.steps.map((s) => pendingRecord('steps', s)),
      executions: 0,
      next: { phase: 'steps', stepId: runbook.steps[0]!.id },
    },
  };
  await deps.runs.add(data);
  return runViewOf({ data, jobState: 'waiting' });
}

export function pendingRecord(phase: RunStepRecord['phase'], s: Runbook['steps'][number]): RunStepRecord {
  return {
    id: phase === 'rollback' ? `rollback/${s.id}` : s.id,
    stepId: s.id,
    phase,
    kind: s.action,
    title: s.description ?? `${s.action} (${s.id})`,
    state: 'pending',
    attempts: 0,
  };
}

/**
 * Typed, defaulted, required and allowed-value checked; strings from a CLI are read as their
 * type; a region parameter must name a managed region (a slip such as us-east1 is refused
 * here, before a trigger claims the runbook's interval, not when the run plans).
 */
export function checkRunParams(runbook: Runbook, raw: Record<string, unknown>, managedRegions: readonly string[]): RunData['params'] {
  const out: RunData['params'] = {};
  for (const key of Object.keys(raw)) {
    // Own keys only: "constructor" or "toString" is not a parameter because every object has one.
    if (!Object.hasOwn(runbook.parameters, key)) {
      throw new LifeboatError('LB_ERR_VALIDATION', `runbook ${runbook.name} has no parameter ${key} (it has: ${Object.keys(runbook.parameters).join(', ') || 'none'})`, { field: `params.${key}` });
    }
  }
  for (const [key, spec] of Object.entries(runbook.parameters)) {
    let v = raw[key] ?? spec.default;
    const field = `params.${key}`;
    if (v === undefined) {
      if (spec.required) throw new LifeboatError('LB_ERR_VALIDATION', `runbook ${runbook.name} needs parameter ${key}${spec.description ? ` (${spec.description})` : ''}`, { field });
      continue;
    }
    if (typeof v === 'string' && spec.type === 'number' && v.trim() !== '' && Number.isFinite(Number(v))) v = Number(v);
    if (typeof v === 'string' && spec.type === 'boolean' && (v === 'true' || v === 'false')) v = v === 'true';
    const valueType = parameterValueType(spec.type);
    if (typeof v !== valueType) throw new LifeboatError('LB_ERR_VALIDATION', `parameter ${key} must be a ${valueType}, got ${JSON.stringify(v)}`, { field });
    if (spec.type === 'region' && !managedRegions.includes(v as string)) {
      throw new LifeboatError(
        'LB_ERR_UNKNOWN_REGION',
        `parameter ${key}: ${JSON.stringify(v)} is not a region lifeboat manages${didYouMean(v as string, managedRegions)}; managed: ${managedRegions.join(', ')}`,
        { field, region: v },
      );
    }
    if (spec.allowed && !spec.allowed.includes(v as string | number)) {
      throw new LifeboatError('LB_ERR_VALIDATION', `parameter ${key} must be one of ${spec.allowed.join(', ')}, got ${JSON.stringify(v)}`, { field });
    }
    out[key] = v as string | number | boolean;
  }
  return out;
}
