import { isLifeboatError } from '../src/core/errors';
import { problemText } from '../src/text/problem-text';

interface ShownError {
  code: string;
  message: string;
  hint?: string | undefined;
  details?: Record<string, unknown> | undefined;
}

/** The API's routes a catalog hint names, and the REPL command that does the same here. */
const REPL_WORDS: Array<[RegExp, string]> = [
  [/GET \/v1\/operations\/:id\b/g, 'op(id)'],
  [/GET \/v1\/operations\b/g, 'ops()'],
  [/GET \/v1\/fleet\b/g, 'fleet()'],
  [/GET \/v1\/readiness\b/g, 'readiness()'],
  [/GET \/v1\/models\b/g, 'models'],
  [/POST \/v1\/operations\/:id\/approve\b/g, "approve(id)"],
  [/POST \/v1\/operations\/:id\/cancel\b/g, "cancel(id)"],
];

/** A hint in the REPL's words: its commands instead of HTTP routes, and the holding operation's id when a region is locked. */
export function replHint(e: ShownError): string | undefined {
  const heldBy = e.details?.operationId;
  if (e.code === 'LB_ERR_REGION_LOCKED' && typeof heldBy === 'string') return `Wait for it: await watch('${heldBy}'); or stop it: await cancel('${heldBy}'). Then ask again.`;
  return REPL_WORDS.reduce((hint, [route, command]) => hint?.replace(route, command), e.hint);
}

/** `LB_ERR_X: message`, its details, and the hint (in the REPL's words) below: how the REPL shows a refusal. */
export function formatLifeboatError(e: ShownError): string {
  // Field by field: an Error keeps its message where a spread does not see it.
  return problemText({ code: e.code, message: e.message, details: e.details, hint: replHint(e) });
}

/** Whether a value is a LifeboatError (or looks like one after crossing a vm context). */
export function isRefusal(e: unknown): e is { code: string; message: string; hint: string; details?: Record<string, unknown> } {
  if (isLifeboatError(e)) return true;
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'LifeboatError' && typeof (e as { code?: unknown }).code === 'string';
}
