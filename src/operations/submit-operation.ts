import { createHash, randomBytes } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json';
import type { RegionCode } from '../core/fleet';
import type { IntentRequest } from '../core/intents';
import type { Plan } from '../core/planner/plan-types';
import { LifeboatError } from '../core/errors';
import { closestMatch, didYouMean } from '../core/suggest';
import type { LifeboatDeps } from './deps';
import type { OperationData } from './operation-types';
import { operationRequestSchema, splitRequest } from './operation-types';
import type { OperationView } from './operation-views';
import { viewOf } from './operation-views';
import { refusalOf } from './operation-errors';
import { auditRequest } from './audit-request';
import { planHash } from './plan-hash';
import type { PlannedRequest } from './plan-request';
import { planRequest } from './plan-request';
import { parseOrThrow } from './validation';

interface Requester {
  /** Who asks: `api:<token name>`, `repl:<token name>`, `runbook:<name>`. */
  actor: string;
  idempotencyKey?: string;
  requestId?: string;
}

type Submitted =
  | { dryRun: true; plan: Plan }
  | { dryRun: false; created: boolean; operation: OperationView; planHash?: string };

/**
 * The one way to change the world: validate, plan, refuse what is unsafe, take the regions
 * and queue the operation. The API, the REPL and runbooks all come through here.
 */
export async function submitOperation(body: unknown, who: Requester, deps: LifeboatDeps): Promise<Submitted> {
  // A dry run changes nothing, so it is not in the audit trail; everything else is.
  const dryRun = !!body && typeof body === 'object' && (body as { dryRun?: unknown }).dryRun === true;
  if (dryRun) return submit(body, who, deps);
  return auditRequest(
    deps,
    { actor: who.actor, action: 'operation.submit', inputs: body, ...(who.requestId ? { requestId: who.requestId } : {}) },
    () => submit(body, who, deps),
    (r) => (r.dryRun ? {} : { operationId: r.operation.id, regions: r.operation.regions, ...(r.planHash ? { planHash: r.planHash } : {}) }),
  );
}

async function submit(body: unknown, who: Requester, deps: LifeboatDeps): Promise<Submitted> {
  const request = parseOrThrow(operationRequestSchema, body, { regions: deps.settings.LIFEBOAT_REGIONS });
  const { intent, options } = splitRequest(request);
  checkRegions(intent, deps.settings.LIFEBOAT_REGIONS);

  if (options.dryRun) return { dryRun: true, plan: (await planRequest(intent, deps)).plan };

  const id = newOperationId(deps.clock.now());
  if (who.idempotencyKey) {
    const existing = await claimOrFind(who.actor, who.idempotencyKey, request, id, deps);
    if (existing) return { dryRun: false, created: false, operation: existing };
  }
  // Whatever refuses from here on releases the key, so the same request may be sent again.
  const refuse = async (error: LifeboatError): Promise<never> => {
    if (who.idempotencyKey) await deps.store.releaseIdempotencyKey(who.actor, who.idempotencyKey, id);
    throw error;
  };

  let plan: Plan;
  let read: PlannedRequest['read'];
  let refreshes: PlannedRequest['refreshes'];
  try {
    ({ plan, read, refreshes } = await planRequest(intent, deps));
  } catch (e) {
    if (e instanceof LifeboatError) return refuse(e);
    throw e;
  }
  const refusal = refusalOf(plan, options.force);
  if (refusal) return refuse(LifeboatError.fromProblem(refusal));

  const regions = regionsTouched(intent, deps.settings.LIFEBOAT_REGIONS);
  const lease = await deps.leases.acquire(id, regions, deps.settings.LIFEBOAT_QUEUED_LEASE_TTL * 1000);
  if (!lease.acquired) {
    return refuse(await regionLocked(intent, lease.region, lease.heldBy, deps));
  }
  const data: OperationData = {
    id,
    kind: intent.kind,
    intent,
    options,
    actor: who.actor,
    createdAt: deps.clock.now().toISOString(),
    regions,
    checkpoint: { state: 'queued', steps: [] },
  };
  // The fleet it was accepted on: a worker that starts it at once plans on it instead of reading AWS again.
  await deps.store.saveSnapshot(id, { snapshot: read.snapshot, fleetVersion: read.version, readAt: read.readAt, ...(refreshes ? { refreshes } : {}) });
  await deps.queue.add(data);
  return { dryRun: false, created: true, operation: viewOf({ data, jobState: 'waiting' }), planHash: planHash(plan) };
}

const IN_FLIGHT_WAIT_MS = 5000;

/**
 * Claim an Idempotency-Key for this request, or return the operation that already has it.
 * A request with the same key still in flight elsewhere is waited for briefly.
 */
async function claimOrFind(actor: string, key: string, request: unknown, id: string, deps: LifeboatDeps): Promise<OperationView | undefined> {
  const hash = bodyHash(request);
  const started = deps.clock.now().getTime();
  for (;;) {
    const claim = await deps.store.claimIdempotencyKey(actor, key, hash, id);
    if (claim.claimed) return undefined;
    if (claim.bodyHash !== hash) {
      throw new LifeboatError('LB_ERR_IDEMPOTENCY_MISMATCH', `Idempotency-Key ${key} was used for operation ${claim.operationId} with another body`, {
        operationId: claim.operationId,
      });
    }
    const existing = await deps.queue.get(claim.operationId);
    if (existing) return viewOf(existing);
    if (deps.clock.now().getTime() - started > IN_FLIGHT_WAIT_MS) {
      throw new LifeboatError('LB_ERR_IDEMPOTENCY_MISMATCH', `a request with Idempotency-Key ${key} is still being processed; try again in a moment`, {
        operationId: claim.operationId,
      });
    }
    await deps.clock.sleep(100);
  }
}

/** The refusal when another operation holds a region this one needs: what was asked, which region is held, by which operation doing what. */
async function regionLocked(intent: IntentRequest, held: RegionCode, heldBy: string, deps: LifeboatDeps): Promise<LifeboatError> {
  const asked = requestTargetOf(intent);
  const holder = await deps.queue.get(heldBy).catch(() => undefined);
  const holding = holder ? ` (${holder.data.kind} ${requestTargetOf(holder.data.intent)}, ${viewOf(holder).state})` : '';
  return new LifeboatError(
    'LB_ERR_REGION_LOCKED',
    `${intent.kind} ${asked} needs ${held}, which operation ${heldBy}${holding} holds; one mutating operation per region at a time`,
    { region: held, asked, operationId: heldBy },
    `Wait for ${heldBy} to finish, or cancel it, then ask again.`,
  );
}

/** The region an intent is about, in words. */
function requestTargetOf(intent: IntentRequest): string {
  if (intent.kind === 'prepare-switches') return intent.regions?.join(', ') ?? 'every region';
  if (intent.kind === 'shift') return intent.from;
  return 'region' in intent ? intent.region : 'the fleet';
}

function checkRegions(intent: IntentRequest, managed: readonly RegionCode[]): void {
  const named =
    intent.kind === 'shift'
      ? [intent.from, ...(intent.to === undefined ? [] : [intent.to].flat())]
      : intent.kind === 'reconcile'
        ? [...new Set([...Object.values(intent.weights ?? {}).flatMap((w) => Object.keys(w)), ...(intent.groups ?? []).map((g) => g.region)])]
        : intent.kind === 'prepare-switches'
          ? (intent.regions ?? [])
          : 'region' in intent
            ? [intent.region]
            : [];
  for (const region of named) {
    if (!managed.includes(region)) {
      const suggestion = closestMatch(region, managed);
      throw new LifeboatError('LB_ERR_UNKNOWN_REGION', `${region} is not a managed region${didYouMean(region, managed)} (LIFEBOAT_REGIONS: ${managed.join(', ')})`, {
        region,
        ...(suggestion ? { suggestion } : {}),
        managedRegions: [...managed],
      });
    }
  }
}

/**
 * Every region whose capacity or weights the operation may change: it holds them all, so
 * two operations never pull the same region two ways.
 */
function regionsTouched(intent: IntentRequest, managed: readonly RegionCode[]): RegionCode[] {
  if (intent.kind === 'scale') return [intent.region];
  // Preparing switches upserts the named regions' records: no evacuation of theirs may move weights meanwhile.
  if (intent.kind === 'prepare-switches') return [...(intent.regions ?? managed)];
  if (intent.kind === 'shift' && intent.to !== undefined) return [...new Set([intent.from, ...[intent.to].flat()])];
  return [...managed];
}

/** Time-ordered, unguessable: op_<time base36>_<12 hex>. */
function newOperationId(now: Date): string {
  return `op_${now.getTime().toString(36)}_${randomBytes(6).toString('hex')}`;
}

function bodyHash(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}
