const SECRET_KEY = /secret|token|password|passwd|authorization|api[-_]?key|signature/i;
const MAX_TEXT = 4096;
/** A URL anywhere in a text: up to the first space or quote. */
const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'<>]+/gi;

/** A URL without what may be a secret: scheme and host only (a Slack webhook's path is its secret, a query may hold a key). */
function redactUrl(url: string): string {
  if (!URL.canParse(url)) return `${url.slice(0, url.indexOf('//') + 2)}[redacted]`;
  const u = new URL(url);
  return u.pathname === '/' && !u.search && !u.username ? `${u.protocol}//${u.host}` : `${u.protocol}//${u.host}/[redacted]`;
}

/** Values under secret-looking keys replaced, URLs in any text cut to scheme and host; `cut` shortens what else would be too much. */
function redact(value: unknown, depth: number, cut: { maxDepth: number; maxText?: number; maxItems?: number }): unknown {
  if (depth > cut.maxDepth) return '[…]';
  if (typeof value === 'string') {
    const text = value.replace(URL_IN_TEXT, redactUrl);
    return cut.maxText !== undefined && text.length > cut.maxText ? `${text.slice(0, cut.maxText)}…[${text.length - cut.maxText} more characters]` : text;
  }
  if (Array.isArray(value)) return (cut.maxItems !== undefined ? value.slice(0, cut.maxItems) : value).map((v) => redact(v, depth + 1, cut));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    return Object.fromEntries((cut.maxItems !== undefined ? entries.slice(0, cut.maxItems) : entries).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1, cut)]));
  }
  return value;
}

/**
 * A copy safe to log or audit: values under secret-looking keys are replaced, URLs keep
 * only their scheme and host (a Slack webhook's path is its secret), long text is cut.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  return redact(value, depth, { maxDepth: 8, maxText: MAX_TEXT, maxItems: 200 });
}

/**
 * What a viewer may read of data people gave lifeboat (a run's parameters, a trigger's
 * payload, a runbook's outputs, a job on the queue board): the same redaction as the audit
 * trail's, but nothing else cut, so views stay whole.
 */
export function withoutSecrets<T>(value: T): T {
  return redact(value, 0, { maxDepth: 64 }) as T;
}
