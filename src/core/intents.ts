import { z } from 'zod';
import type { FleetSnapshot } from './fleet';
import type { SwitchReading } from './switches';

/**
 * What people ask lifeboat to do. The API, the REPL and runbooks all validate with these
 * schemas, so an intent means the same thing whoever sends it.
 */

/** What a malformed region code is told (validation adds "did you mean" from the managed regions). */
export const REGION_CODE_MESSAGE = 'an AWS region code such as us-east-1';

export const regionCode = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, REGION_CODE_MESSAGE);

const serviceName = z.string().min(1).max(200);

/** Cumulative percentages of the move done after each stage, or a number of equal stages. */
const stagesSchema = z.union([
  z.number().int().min(1).max(20),
  z
    .array(z.number().gt(0).max(100))
    .min(1)
    .max(20)
    .refine((p) => p.every((x, i) => i === 0 || x > p[i - 1]!), 'stage percentages must increase')
    .refine((p) => p[p.length - 1] === 100, 'the last stage must be 100 (the whole move)'),
]);

const distributionSchema = z.union([
  z.enum(['proportional', 'capacity-aware']),
  z.object({ weights: z.record(regionCode, z.number().int().min(0).max(255)) }).strict(),
]);

const modelChoice = {
  /** Capacity model (a file in models/); proportional by default. */
  model: z.string().min(1).max(100).optional(),
  /** Model parameters for every service, e.g. {"demand": 12000}. */
  parameters: z.record(z.string(), z.number().finite()).optional(),
  /** Model parameters per service, over `parameters`. */
  serviceParameters: z.record(serviceName, z.record(z.string(), z.number().finite())).optional(),
  /** Shortcut for parameters.headroom (models that have it). */
  headroom: z.number().min(0).max(4).optional(),
  /** MaxSize may be raised to at most ceil(MaxSize × maxSizeGrowth); 1 never raises it. */
  maxSizeGrowth: z.number().min(1).max(10).optional(),
};

/** Refuse (instead of warn) when a group that must grow or carry more traffic has an instance refresh under way. */
const refusePendingRefresh = z.boolean().optional();

const moveOptions = {
  ...modelChoice,
  refusePendingRefresh,
  /** Only these services (and the DNS names they serve); all by default. */
  services: z.array(serviceName).min(1).max(1000).optional(),
  stages: stagesSchema.optional(),
  distribution: distributionSchema.optional(),
};

/** Field shapes, so operation requests can add their options to the same fields. */
export const intentShapes = {
  evacuate: {
    kind: z.literal('evacuate'),
    region: regionCode,
    ...moveOptions,
    /** When Route 53's change API fails or times out: turn the region's switch off through CloudWatch instead (needs the switch prepared). */
    fallback: z.enum(['switch']).optional(),
    /**
     * capacity (the default): move at once what the survivors' capacity in service serves, then
     * more as capacity comes in, each name on its own; stages: wait for all of it, then the stages.
     */
    pace: z.enum(['capacity', 'stages']).optional(),
  },
  shift: {
    kind: z.literal('shift'),
    from: regionCode,
    to: z.union([regionCode, z.array(regionCode).min(1)]).optional(),
    percent: z.number().gt(0).max(100),
    ...moveOptions,
  },
  restore: {
    kind: z.literal('restore'),
    region: regionCode,
    stages: stagesSchema.optional(),
    /** Also return survivors' DesiredCapacity to its old value, not only MinSize. */
    scaleDownSurvivors: z.boolean().optional(),
    refusePendingRefresh,
  },
  reconcile: {
    kind: z.literal('reconcile'),
    /** Weights to return to, per DNS name and region (regions not named keep theirs); by default those lifeboat's pin records hold. */
    weights: z.record(z.string().min(1).max(253), z.record(regionCode, z.number().int().min(0).max(255))).optional(),
    /** Bounds to return groups to; by default those lifeboat's pin records hold. */
    groups: z
      .array(
        z
          .object({ region: regionCode, group: z.string().min(1).max(255), minSize: z.number().int().min(0).max(100000), maxSize: z.number().int().min(0).max(100000) })
          .strict()
          .refine((g) => g.minSize <= g.maxSize, { message: 'minSize must not exceed maxSize', path: ['minSize'] }),
      )
      .max(1000)
      .optional(),
    stages: stagesSchema.optional(),
    ...modelChoice,
  },
  /** Create or repair the region switches (core/switches.ts): alarms, health checks, records carrying them. */
  'prepare-switches': {
    kind: z.literal('prepare-switches'),
    /** Only these managed regions' switches; all by default. */
    regions: z.array(regionCode).min(1).max(50).optional(),
  },
  /** Size warm pools so every region could absorb the loss of its largest neighbour (N+1) from warm instances. */
  'prepare-dark-capacity': {
    kind: z.literal('prepare-dark-capacity'),
    /** Only these services; all by default. */
    services: z.array(serviceName).min(1).max(1000).optional(),
    /** The warm instances' state while they wait: Stopped (the default, cheapest), Running or Hibernated. */
    poolState: z.enum(['Stopped', 'Running', 'Hibernated']).optional(),
    ...modelChoice,
  },
  /** Delete the warm pools lifeboat created (those tagged lifeboat:warm-pool=created); others are never touched. */
  'release-dark-capacity': {
    kind: z.literal('release-dark-capacity'),
    services: z.array(serviceName).min(1).max(1000).optional(),
  },
  scale: {
    kind: z.literal('scale'),
    region: regionCode,
    service: serviceName,
    desiredCapacity: z.number().int().min(0).max(100000),
    minSize: z.number().int().min(0).max(100000).optional(),
    maxSize: z.number().int().min(0).max(100000).optional(),
  },
};

/** Checks a scale request's sizes against each other. */
export function checkScaleSizes(s: { desiredCapacity: number; minSize?: number | undefined; maxSize?: number | undefined }, ctx: z.RefinementCtx): void {
  if (s.minSize !== undefined && s.minSize > s.desiredCapacity) ctx.addIssue({ code: 'custom', message: 'minSize must not exceed desiredCapacity', path: ['minSize'] });
  if (s.maxSize !== undefined && s.maxSize < s.desiredCapacity) ctx.addIssue({ code: 'custom', message: 'maxSize must not be below desiredCapacity', path: ['maxSize'] });
}

const evacuateIntentSchema = z.object(intentShapes.evacuate).strict();
const shiftIntentSchema = z.object(intentShapes.shift).strict();
/** Restore as people ask for it; the operation layer adds the snapshot taken before the evacuation. */
const restoreRequestSchema = z.object(intentShapes.restore).strict();
const scaleIntentSchema = z.object(intentShapes.scale).strict().superRefine(checkScaleSizes);
/** Reconcile as people ask for it; the operation layer adds what it returns the fleet to. */
const reconcileRequestSchema = z.object(intentShapes.reconcile).strict();
const prepareSwitchesRequestSchema = z.object(intentShapes['prepare-switches']).strict();

const prepareDarkCapacityIntentSchema = z.object(intentShapes['prepare-dark-capacity']).strict();
const releaseDarkCapacityIntentSchema = z.object(intentShapes['release-dark-capacity']).strict();

export const intentSchema = z.discriminatedUnion('kind', [
  evacuateIntentSchema,
  shiftIntentSchema,
  restoreRequestSchema,
  scaleIntentSchema,
  reconcileRequestSchema,
  prepareDarkCapacityIntentSchema,
  releaseDarkCapacityIntentSchema,
  prepareSwitchesRequestSchema,
]);

export type EvacuateIntent = z.infer<typeof evacuateIntentSchema>;
export type ShiftIntent = z.infer<typeof shiftIntentSchema>;
type RestoreRequest = z.infer<typeof restoreRequestSchema>;
export type ScaleIntent = z.infer<typeof scaleIntentSchema>;
export type PrepareDarkCapacityIntent = z.infer<typeof prepareDarkCapacityIntentSchema>;
export type ReleaseDarkCapacityIntent = z.infer<typeof releaseDarkCapacityIntentSchema>;
export type IntentRequest = z.infer<typeof intentSchema>;

/** Restore as the planner takes it: with the fleet as it was before the evacuation. */
export interface RestoreIntent extends RestoreRequest {
  previous: FleetSnapshot;
  /** Other regions still evacuated: they stay at their current share and survivors stay pinned. */
  stillEvacuated?: string[];
}

type ReconcileRequest = z.infer<typeof reconcileRequestSchema>;

/**
 * Reconcile as the planner takes it: the fleet to return to, resolved by the operation layer
 * from what it was given or from the pin records lifeboat left on AWS (core/pins.ts).
 */
export interface ReconcileIntent extends ReconcileRequest {
  target: {
    /** Per DNS name, the weight per region to end on (regions not named keep theirs). */
    weights: Record<string, Record<string, number>>;
    /** Groups to return to these bounds at the end (their own scaling takes over). */
    bounds: Array<{ region: string; group: string; minSize: number; maxSize: number }>;
    /** Where the target comes from, in words. */
    source: string;
  };
}

type PrepareSwitchesRequest = z.infer<typeof prepareSwitchesRequestSchema>;

/** Prepare-switches as the planner takes it: with the switches as read, resolved by the operation layer. */
export interface PrepareSwitchesIntent extends PrepareSwitchesRequest {
  controlRegions: string[];
  reading: Omit<SwitchReading, 'records'>;
}

export type Intent = EvacuateIntent | ShiftIntent | RestoreIntent | ScaleIntent | ReconcileIntent | PrepareSwitchesIntent | PrepareDarkCapacityIntent | ReleaseDarkCapacityIntent;
