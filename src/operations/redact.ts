const SECRET_KEY = /secret|token|password|passwd|authorization|api[-_]?key|signature/i;
const MAX_TEXT = 4096;

/**
 * A copy safe to log or audit: values under secret-looking keys are replaced, URLs keep
 * only their scheme and host (a Slack webhook's path is its secret), long text is cut.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') {
    if (/^https?:\/\//i.test(value) && URL.canParse(value)) {
      const u = new URL(value);
      return u.pathname === '/' && !u.search ? `${u.protocol}//${u.host}` : `${u.protocol}//${u.host}/[redacted]`;
    }
    return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…[${value.length - MAX_TEXT} more characters]` : value;
  }
  if (Array.isArray(value)) return value.slice(0, 200).map((v) => redactSecrets(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).slice(0, 200).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redactSecrets(v, depth + 1)]));
  }
  return value;
}
