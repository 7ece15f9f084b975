import { LifeboatError } from '../errors';
import type { RegionCode, ServiceLoad, SnapshotLoad } from '../fleet';
import type { MeasuredDemand } from '../load/peak-ahead';
import { measuredDemand } from '../load/peak-ahead';
import type { CapacityModel, ModelCatalog } from '../models/capacity-model';
import type { ModelParameters, ServiceModelInputs } from '../models/evaluate-model';
import { resolveParameters } from '../models/evaluate-model';
import type { FleetIndex } from './fleet-index';
import type { PlanWarning, ServiceDemand } from './plan-types';

/**
 * Which model sizes a service, and from what demand. Demand is known one of three ways:
 * measured (a model that reads `load`: CloudWatch, for the peak ahead), given (a model with
 * a `demand` parameter: the requester says it), or estimated from instance counts (any
 * other model, `proportional` first: what regions run is taken to be what they need). A
 * model that reads load but finds none usable for the service hands it to its `fallback`,
 * and the plan says so in a MODEL_FALLBACK warning.
 */
export interface ServiceSizing {
  model: CapacityModel;
  parameters: ModelParameters;
  demand: ServiceDemand;
  /** The load inputs, for a model that reads them. */
  load?: Pick<ServiceModelInputs, 'load' | 'loadPerInstance' | 'targetUtilization' | 'loadCapacity'>;
  /** Set when the model asked could not size the service. */
  fellBack?: { from: string; reason: string };
}

/** The parameters lifeboat reads itself, when the model declares them: how far ahead and how far back to look. */
const DEMAND_PARAMETERS = { horizon: 0, historyDays: 7 };

/** Throws LB_ERR_MODEL_PARAMETER (a parameter does not fit) or LB_ERR_MODEL_INPUT_MISSING (no load and no fallback). */
export function sizingOf(index: FleetIndex, service: string, asked: CapacityModel, models: ModelCatalog, overrides: ModelParameters, base: Pick<ServiceModelInputs, 'share' | 'inService'>): ServiceSizing {
  const reasons: string[] = [];
  let model = asked;
  while (model.readsLoad) {
    const parameters = resolveParameters(model, model === asked ? overrides : ownParameters(model, overrides), service);
    const measured = measure(index, service, parameters, base.share);
    if ('demand' in measured) return { model, parameters, demand: measured.demand, load: loadInputs(index, service, measured.demand, base.inService) };
    reasons.push(measured.unusable);
    const next = model.fallback ? models.get(model.fallback) : undefined;
    if (!next) {
      throw new LifeboatError('LB_ERR_MODEL_INPUT_MISSING', `model ${model.name} cannot size ${service}: ${measured.unusable}`, { model: model.name, service, missing: ['load'] });
    }
    model = next;
  }
  const parameters = resolveParameters(model, model === asked ? overrides : ownParameters(model, overrides), service);
  const demand: ServiceDemand = 'demand' in model.parameters ? { how: 'given', sizedFor: parameters.demand!, unit: model.parameters.demand!.unit } : { how: 'counts' };
  // model differs from asked only once the loop has pushed the reason asked could not size it: reasons[0] is there.
  return { model, parameters, demand, ...(model !== asked ? { fellBack: { from: asked.name, reason: reasons[0]! } } : {}) };
}

/** The warning a plan carries for a service sized by a fallback model. */
export function fallbackWarning(service: string, sizing: ServiceSizing): PlanWarning | undefined {
  if (!sizing.fellBack) return undefined;
  const how = sizing.demand.how === 'counts' ? 'demand estimated from instance counts' : 'demand as given';
  return {
    code: 'MODEL_FALLBACK',
    message: `${service}: sized by ${sizing.model.name} (${how}), not ${sizing.fellBack.from}: ${sizing.fellBack.reason}`,
    details: { service, model: sizing.model.name, from: sizing.fellBack.from, reason: sizing.fellBack.reason },
  };
}

/** A fallback takes the intent's parameters it declares (headroom, say) and ignores those meant for the model asked. */
function ownParameters(model: CapacityModel, overrides: ModelParameters): ModelParameters {
  return Object.fromEntries(Object.entries(overrides).filter(([key]) => Object.hasOwn(model.parameters, key)));
}

/** Each snapshot's services' load by name, built once: a plan asks for every service, readiness for every region's plan. */
const loadByService = new WeakMap<SnapshotLoad, Map<string, ServiceLoad>>();

function serviceLoadOf(load: SnapshotLoad, service: string): ServiceLoad | undefined {
  let byName = loadByService.get(load);
  if (!byName) loadByService.set(load, (byName = new Map(load.services.map((s) => [s.service, s]))));
  return byName.get(service);
}

function measure(index: FleetIndex, service: string, parameters: ModelParameters, share: readonly number[]): { demand: MeasuredDemand } | { unusable: string } {
  const load = index.snapshot.load;
  if (!load) return { unusable: 'the fleet reading has no measured load (CloudWatch was not read)' };
  const serviceLoad = serviceLoadOf(load, service);
  if (!serviceLoad) return { unusable: `no measured load for ${service}` };
  const choice = {
    horizonHours: parameters.horizon ?? DEMAND_PARAMETERS.horizon,
    historyDays: parameters.historyDays ?? DEMAND_PARAMETERS.historyDays,
  };
  const groupsIn = (region: RegionCode) => index.capacity.get(service)?.get(region)?.groups ?? [];
  return measuredDemand(load, serviceLoad, share, index.regions, choice, groupsIn);
}

/** The model's load inputs: sized-for demand per region, per instance in service, and what one instance should and can carry. */
function loadInputs(index: FleetIndex, service: string, demand: MeasuredDemand, inService: readonly number[]): NonNullable<ServiceSizing['load']> {
  const serviceLoad = serviceLoadOf(index.snapshot.load!, service)!;
  return {
    load: demand.byRegion,
    loadPerInstance: demand.byRegion.map((l, i) => (inService[i]! > 0 ? l / inService[i]! : NaN)),
    targetUtilization: serviceLoad.targetUtilization.map((t) => t ?? NaN),
    loadCapacity: serviceLoad.loadCapacity.map((c) => c ?? NaN),
  };
}
