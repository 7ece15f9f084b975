import type { RegionCode } from '../fleet';
import { LifeboatError } from '../errors';
import type { CapacityModel } from './capacity-model';
import { LOAD_INPUTS } from './capacity-model';
import { modelMath, wholeInstances } from './model-math';
import { Fallback } from './vector-compiler';

/** One service's inputs, one entry per region (in `regions` order). */
export interface ServiceModelInputs {
  service: string;
  regions: RegionCode[];
  current: number[];
  inService: number[];
  minSize: number[];
  maxSize: number[];
  share: number[];
  targetShare: number[];
  /** NaN where the groups carry no lifeboat:capacity-per-instance tag. */
  capacityPerInstance: number[];
  /** Measured load as sized for, and what one instance should and can carry (see MODEL_INPUTS); NaN when not measured. Absent: all NaN. */
  load?: number[];
  loadPerInstance?: number[];
  targetUtilization?: number[];
  loadCapacity?: number[];
}

export type ModelParameters = Record<string, number>;

/**
 * Parameters for one evaluation: the model's defaults, overridden by what the caller
 * passed, each checked against the range the model declares.
 */
export function resolveParameters(model: CapacityModel, overrides: ModelParameters = {}, service?: string): ModelParameters {
  const declared = Object.keys(model.parameters);
  for (const key of Object.keys(overrides)) {
    // Own keys only: "constructor" or "toString" is not a parameter because every object has one.
    if (!Object.hasOwn(model.parameters, key)) {
      throw new LifeboatError(
        'LB_ERR_MODEL_PARAMETER',
        `model ${model.name} has no parameter "${key}" (it has: ${declared.join(', ') || 'none'})`,
        { model: model.name, parameter: key },
      );
    }
  }
  const resolved: ModelParameters = {};
  for (const [key, spec] of Object.entries(model.parameters)) {
    const value = overrides[key] ?? spec.default;
    const where = service ? ` for ${service}` : '';
    if (value === undefined || !Number.isFinite(value)) {
      throw new LifeboatError(
        'LB_ERR_MODEL_PARAMETER',
        `model ${model.name} needs parameter ${key} (${spec.unit}: ${spec.description})${where}; it has no default`,
        { model: model.name, parameter: key, ...(service ? { service } : {}) },
      );
    }
    if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
      throw new LifeboatError(
        'LB_ERR_MODEL_PARAMETER',
        `model ${model.name}: ${key}=${value}${where} is outside its range [${spec.min ?? '-∞'}, ${spec.max ?? '∞'}] ${spec.unit}`,
        { model: model.name, parameter: key, value, min: spec.min, max: spec.max },
      );
    }
    resolved[key] = value;
  }
  return resolved;
}

function runExpressions(
  model: CapacityModel,
  scope: Map<string, unknown>,
  output: 'required' | 'servable',
  skip: (name: string, dependsOn: Set<string>) => boolean,
): unknown {
  for (const { name, code, fast, dependsOn } of model.compiled) {
    if (skip(name, dependsOn)) continue;
    try {
      scope.set(name, evaluateFast(fast, scope) ?? code.evaluate(scope));
    } catch (e) {
      throw new LifeboatError('LB_ERR_MODEL_EVALUATION', `model ${model.name}: expressions.${name} failed: ${(e as Error).message}`, {
        model: model.name,
        expression: name,
      });
    }
    if (name === output) return scope.get(name);
  }
  throw new LifeboatError('LB_ERR_MODEL_EVALUATION', `model ${model.name} has no expression ${output}`, { model: model.name });
}

/** The fast path's answer, or undefined to ask mathjs (no fast path, or a case it leaves to mathjs). */
function evaluateFast(fast: CapacityModel['compiled'][number]['fast'], scope: Map<string, unknown>): unknown {
  if (!fast) return undefined;
  try {
    return fast(scope);
  } catch (e) {
    if (e instanceof Fallback) return undefined;
    throw e;
  }
}

function toVector(model: CapacityModel, value: unknown, n: number, output: string): number[] {
  const plain = modelMath.isMatrix(value) ? (value as { toArray(): unknown }).toArray() : value;
  if (!Array.isArray(plain) || plain.length !== n || plain.some((v) => typeof v !== 'number')) {
    throw new LifeboatError(
      'LB_ERR_MODEL_EVALUATION',
      `model ${model.name}: ${output} must be one number per region (${n}), got ${JSON.stringify(plain)}`,
      { model: model.name, expression: output },
    );
  }
  return plain as number[];
}

function scopeOf(inputs: ServiceModelInputs, parameters: ModelParameters): Map<string, unknown> {
  return new Map<string, unknown>([
    ['current', inputs.current],
    ['inService', inputs.inService],
    ['minSize', inputs.minSize],
    ['maxSize', inputs.maxSize],
    ['share', inputs.share],
    ['targetShare', inputs.targetShare],
    ['capacityPerInstance', inputs.capacityPerInstance],
    ...LOAD_INPUTS.map((name): [string, number[]] => [name, inputs[name as keyof LoadVectors] ?? unknownVector(inputs.regions.length)]),
    ...Object.entries(parameters),
  ]);
}

type LoadVectors = Pick<ServiceModelInputs, 'load' | 'loadPerInstance' | 'targetUtilization' | 'loadCapacity'>;

function unknownVector(n: number): number[] {
  return new Array<number>(n).fill(NaN);
}

/**
 * Instances each region needs for its target share, rounded up to whole instances.
 * A region that ends with no traffic needs nothing from the model (NaN from an input it
 * lacks does not matter there); anywhere else NaN means a missing input and is refused.
 */
export function requiredInstances(model: CapacityModel, inputs: ServiceModelInputs, parameters: ModelParameters): number[] {
  const n = inputs.regions.length;
  const raw = toVector(model, runExpressions(model, scopeOf(inputs, parameters), 'required', (name) => name === 'servable'), n, 'required');
  return raw.map((v, i) => {
    if (Number.isNaN(v)) {
      if (inputs.targetShare[i] === 0) return 0;
      const missing = model.inputsUsed.filter((input) => {
        const vector = (inputs as unknown as Record<string, unknown>)[input];
        return vector === undefined ? LOAD_INPUTS.includes(input) : Array.isArray(vector) && Number.isNaN(vector[i]);
      });
      throw new LifeboatError(
        'LB_ERR_MODEL_INPUT_MISSING',
        `model ${model.name} cannot size ${inputs.service} in ${inputs.regions[i]}: ${missing.length ? `input ${missing.join(', ')} is unknown there` : 'it produced NaN'}`,
        { model: model.name, service: inputs.service, region: inputs.regions[i], missing },
      );
    }
    if (v < 0 || !Number.isFinite(v)) {
      throw new LifeboatError('LB_ERR_MODEL_EVALUATION', `model ${model.name} asked for ${v} instances of ${inputs.service} in ${inputs.regions[i]}`, {
        model: model.name,
        service: inputs.service,
        region: inputs.regions[i],
      });
    }
    return wholeInstances(v);
  });
}

const BISECTION_STEPS = 40;

/**
 * The largest share of the service's traffic each region could serve with `instances`,
 * capped at 1. Uses the model's `servable` expression when it has one; otherwise bisects
 * `required` (which grows with the share), all regions at once.
 */
export function servableShare(
  model: CapacityModel,
  inputs: ServiceModelInputs,
  instances: number[],
  parameters: ModelParameters,
): number[] {
  const n = inputs.regions.length;
  if (model.hasServable) {
    const scope = scopeOf({ ...inputs, targetShare: inputs.share }, parameters);
    scope.set('instances', instances);
    const skip = (name: string, dependsOn: Set<string>) => name === 'required' || dependsOn.has('targetShare') || dependsOn.has('required');
    const raw = toVector(model, runExpressions(model, scope, 'servable', skip), n, 'servable');
    return raw.map((v) => (Number.isNaN(v) ? 0 : Math.min(1, Math.max(0, v))));
  }
  const fits = (shares: number[]) => {
    const req = requiredInstancesLenient(model, { ...inputs, targetShare: shares }, parameters);
    return req.map((r, i) => r <= instances[i]!);
  };
  const full = fits(new Array(n).fill(1));
  let lo = new Array<number>(n).fill(0);
  let hi = new Array<number>(n).fill(1);
  for (let step = 0; step < BISECTION_STEPS; step++) {
    const mid = lo.map((l, i) => (l + hi[i]!) / 2);
    const ok = fits(mid);
    lo = lo.map((l, i) => (ok[i] ? mid[i]! : l));
    hi = hi.map((h, i) => (ok[i] ? h : mid[i]!));
  }
  return lo.map((l, i) => (full[i] ? 1 : l));
}

/** Like requiredInstances, but a region it cannot size counts as needing infinitely many. */
function requiredInstancesLenient(model: CapacityModel, inputs: ServiceModelInputs, parameters: ModelParameters): number[] {
  const raw = toVector(model, runExpressions(model, scopeOf(inputs, parameters), 'required', (name) => name === 'servable'), inputs.regions.length, 'required');
  return raw.map((v, i) => (Number.isNaN(v) ? (inputs.targetShare[i] === 0 ? 0 : Infinity) : wholeInstances(v)));
}
