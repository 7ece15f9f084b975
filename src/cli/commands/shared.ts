import type { OperationView } from '../../operations/operation-views';
import type { OptionSpecs } from '../command';

export const WAIT_OPTION: OptionSpecs = {
  wait: { type: 'boolean', short: 'w', help: 'follow it until it finishes (progress on stdout); exit 1 if it does not succeed' },
};

/** What an operation or run is about, in a few words: `us-east-1`, `50% us-west-2 → eu-west-1`, `game-day region=us-east-1`. */
export function targetOf(view: Pick<OperationView, 'kind' | 'request'>): string {
  const r = view.request;
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));
  switch (view.kind) {
    case 'evacuate':
    case 'restore':
      return str(r.region);
    case 'shift':
      return `${str(r.percent)}% ${str(r.from)}${r.to !== undefined ? ` → ${[r.to].flat().map(str).join(',')}` : ''}`;
    case 'scale':
      return `${str(r.service)} in ${str(r.region)} → ${str(r.desiredCapacity)}`;
    case 'runbook': {
      // The first parameters say what it is about (region=…); all of them are in `op <id>`.
      const params = r.params && typeof r.params === 'object' ? Object.entries(r.params as Record<string, unknown>).map(([k, v]) => `${k}=${str(v)}`) : [];
      return [str(r.runbook), ...params.slice(0, 2), ...(params.length > 2 ? ['…'] : [])].join(' ');
    }
    default:
      return '';
  }
}

/** After starting something without --wait: its id and state, and how to follow it. */
export function startedLines(view: OperationView, verb: string): string[] {
  return [`${verb} ${view.id}: ${view.kind} ${targetOf(view)} (state ${view.state})`, `  follow with: npx lifeboat op ${view.id} wait`];
}
