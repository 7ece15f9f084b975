import { Router } from 'express';
import { z } from 'zod';
import { LifeboatError } from '../../core/errors';
import { regionCode } from '../../core/intents';
import type { CapacityModel } from '../../core/models/capacity-model';
import { requiredInstances, resolveParameters, servableShare } from '../../core/models/evaluate-model';
import { parseOrThrow } from '../../operations/validation';
import type { ApiDeps } from '../api-deps';
import { bodyOf } from '../json-body';

const vector = (min = 0) => z.array(z.number().finite().min(min)).max(64);

/** Explicit inputs, one entry per region, as the model sees them. */
export const evaluateBodySchema = z
  .object({
    regions: z.array(regionCode).min(1).max(64),
    current: vector(),
    share: z.array(z.number().min(0).max(1)).max(64),
    targetShare: z.array(z.number().min(0).max(1)).max(64),
    inService: vector().optional(),
    minSize: vector().optional(),
    maxSize: vector().optional(),
    /** null where the groups carry no capacity-per-instance tag. */
    capacityPerInstance: z.array(z.number().positive().nullable()).max(64).optional(),
    /** Measured demand per region, in the load metric's unit (models that read load). */
    load: vector().optional(),
    /** What one instance should carry, and carries at full use, in the load metric's unit; null where unknown. */
    targetUtilization: z.array(z.number().positive().nullable()).max(64).optional(),
    loadCapacity: z.array(z.number().positive().nullable()).max(64).optional(),
    /** Also answer how much share these instances could serve. */
    instances: vector().optional(),
    parameters: z.record(z.string(), z.number().finite()).optional(),
    service: z.string().min(1).max(200).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    for (const key of ['current', 'share', 'targetShare', 'inService', 'minSize', 'maxSize', 'capacityPerInstance', 'load', 'targetUtilization', 'loadCapacity', 'instances'] as const) {
      const v = b[key];
      if (v && v.length !== b.regions.length) ctx.addIssue({ code: 'custom', path: [key], message: `needs one value per region (${b.regions.length})` });
    }
  });

function describe(m: CapacityModel) {
  return { name: m.name, description: m.description, file: m.file, ...(m.fallback ? { fallback: m.fallback } : {}), parameters: m.parameters, expressions: m.expressions, inputsUsed: m.inputsUsed };
}

export function modelsRouter(deps: ApiDeps): Router {
  const router = Router();
  const modelNamed = (name: string) => {
    const m = deps.models.get(name);
    if (!m) throw new LifeboatError('LB_ERR_UNKNOWN_MODEL', `no capacity model named ${name} (have: ${[...deps.models.keys()].join(', ')})`, { model: name });
    return m;
  };

  router.get('/', (_req, res) => {
    res.json({ models: [...deps.models.values()].map(describe), default: deps.settings.LIFEBOAT_DEFAULT_MODEL });
  });

  router.get('/:name', (req, res) => {
    res.json({ model: describe(modelNamed(req.params.name)) });
  });

  router.post('/:name/evaluate', (req, res) => {
    const model = modelNamed(req.params.name);
    const b = parseOrThrow(evaluateBodySchema, bodyOf(req.body));
    const n = b.regions.length;
    const inputs = {
      service: b.service ?? 'service',
      regions: b.regions,
      current: b.current,
      share: b.share,
      targetShare: b.targetShare,
      inService: b.inService ?? b.current,
      minSize: b.minSize ?? new Array<number>(n).fill(0),
      maxSize: b.maxSize ?? b.current,
      capacityPerInstance: (b.capacityPerInstance ?? new Array<null>(n).fill(null)).map((c) => c ?? NaN),
      ...loadInputs(b, n),
    };
    const parameters = resolveParameters(model, b.parameters ?? {}, b.service);
    const required = requiredInstances(model, inputs, parameters);
    const servable = b.instances ? servableShare(model, inputs, b.instances, parameters) : undefined;
    res.json({
      model: model.name,
      parameters,
      required: Object.fromEntries(b.regions.map((r, i) => [r, required[i]])),
      ...(servable ? { servable: Object.fromEntries(b.regions.map((r, i) => [r, servable[i]])) } : {}),
    });
  });
  return router;
}

/** The load inputs given by hand: loadPerInstance follows from load and the instances in service. */
function loadInputs(b: z.infer<typeof evaluateBodySchema>, n: number) {
  const unknown = (v: Array<number | null> | undefined) => (v ?? new Array<null>(n).fill(null)).map((x) => x ?? NaN);
  if (!b.load) return { targetUtilization: unknown(b.targetUtilization), loadCapacity: unknown(b.loadCapacity) };
  const inService = b.inService ?? b.current;
  return {
    load: b.load,
    loadPerInstance: b.load.map((l, i) => (inService[i]! > 0 ? l / inService[i]! : NaN)),
    targetUtilization: unknown(b.targetUtilization),
    loadCapacity: unknown(b.loadCapacity),
  };
}
