import type { OperationView } from '../operations/operation-views';

/** What a request asks for, in words, the same in the REPL, the CLI, the demo and a plan's title. */

const word = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));

/**
 * What an operation or run is about, after its kind: `us-east-1`, `50% from us-west-2 to
 * eu-west-1`, `api in us-west-2 to 12`, `game-day region=us-east-1 stages=1 …` (a run's first
 * two parameters: all of them are in its detail).
 */
export function requestTarget(kind: string, request: Readonly<Record<string, unknown>>): string {
  const r = request;
  switch (kind) {
    case 'evacuate':
    case 'restore':
      return word(r.region);
    case 'shift':
      return `${word(r.percent)}% from ${word(r.from)}${r.to === undefined ? '' : ` to ${[r.to].flat().map(word).join(', ')}`}`;
    case 'scale':
      return `${word(r.service)} in ${word(r.region)} to ${word(r.desiredCapacity)}`;
    case 'prepare-dark-capacity':
    case 'release-dark-capacity':
      return Array.isArray(r.services) ? r.services.map(word).join(', ') : '';
    case 'runbook': {
      const params = r.params && typeof r.params === 'object' ? Object.entries(r.params as Record<string, unknown>).map(([k, v]) => `${k}=${word(v)}`) : [];
      return [word(r.runbook), ...params.slice(0, 2), ...(params.length > 2 ? ['…'] : [])].join(' ');
    }
    default:
      return '';
  }
}

/** A request (or a plan's intent) in words: `evacuate us-east-1`, `shift 50% from us-west-2 to eu-west-1`, `scale api in us-west-2 to 12`. */
export function describeRequest(request: { readonly kind: string } & Readonly<Record<string, unknown>>): string {
  return `${request.kind} ${requestTarget(request.kind, request)}`.trimEnd();
}

/** An operation or a run in words: its kind and what it is about (`runbook game-day region=us-east-1`). */
export function describeOperation(view: Pick<OperationView, 'kind' | 'request'>): string {
  return `${view.kind} ${requestTarget(view.kind, view.request)}`.trimEnd();
}

/** Every field of a request as `key=value`, like the command line that could send it; a run's params inline. */
export function requestFields(request: Readonly<Record<string, unknown>>): string {
  const { params, ...rest } = request;
  const flat = params && typeof params === 'object' && !Array.isArray(params) ? { ...rest, ...(params as Record<string, unknown>) } : request;
  return Object.entries(flat)
    .map(([k, v]) => `${k}=${word(v)}`)
    .join(' ');
}
