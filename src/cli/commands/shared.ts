import type { OperationView } from '../../operations/operation-views';
import { describeOperation } from '../../text/request-text';
import type { OptionSpecs } from '../command';

export const WAIT_OPTION: OptionSpecs = {
  wait: { type: 'boolean', short: 'w', help: 'follow it until it finishes (progress on stdout); exit 1 if it does not succeed' },
};

/** After starting something without --wait: its id and state, and how to follow it. */
export function startedLines(view: OperationView, verb: string): string[] {
  return [`${verb} ${view.id}: ${describeOperation(view)} (state ${view.state})`, `  follow with: npx lifeboat op ${view.id} wait`];
}
