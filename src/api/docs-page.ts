import type { OpenApiDocument, OpenApiOperation } from './openapi';

/**
 * /docs: the OpenAPI document as one HTML page, rendered on the server. No script and
 * nothing from the internet: it works offline and under the API's strict CSP (the
 * stylesheet is /docs/docs.css). Each endpoint shows its role, parameters, request body
 * schema and answers; /openapi.json is the same thing for tools.
 */

const escapeHtml = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const METHOD_ORDER = ['get', 'post', 'put', 'patch', 'delete'];

function schemaBlock(schema: unknown): string {
  return `<pre class="schema">${escapeHtml(JSON.stringify(schema, null, 2))}</pre>`;
}

function shortType(schema: Record<string, unknown> | undefined): string {
  if (!schema) return '';
  if (Array.isArray(schema.enum)) return (schema.enum as unknown[]).map(String).join(' | ');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const type = Array.isArray(schema.type) ? (schema.type as string[]).join(' | ') : typeof schema.type === 'string' ? schema.type : 'any';
  const limits = [
    schema.pattern ? `pattern ${String(schema.pattern)}` : '',
    schema.minimum !== undefined ? `≥ ${String(schema.minimum)}` : '',
    schema.maximum !== undefined ? `≤ ${String(schema.maximum)}` : '',
    schema.maxLength !== undefined ? `≤ ${String(schema.maxLength)} chars` : '',
  ].filter(Boolean);
  return limits.length ? `${type} (${limits.join(', ')})` : type;
}

function operationHtml(path: string, method: string, op: OpenApiOperation): string {
  const role = op['x-required-role'];
  const access = role ? `role: ${role}` : op.security.length ? 'signed (HMAC)' : 'no token';
  const params = op.parameters ?? [];
  const body = (op.requestBody?.content as Record<string, { schema: unknown }> | undefined)?.['application/json']?.schema;
  const responses = Object.entries(op.responses);
  return `
<section class="op" id="${escapeHtml(op.operationId)}">
  <h3><span class="method ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code> <span class="access">${escapeHtml(access)}</span></h3>
  <p class="summary">${escapeHtml(op.summary)}</p>
  ${op.description ? `<p class="description">${escapeHtml(op.description).replace(/\n\n/g, '<br>')}</p>` : ''}
  ${
    params.length
      ? `<table class="params"><thead><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th><th>notes</th></tr></thead><tbody>${params
          .map(
            (p) =>
              `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td><td>${escapeHtml(shortType(p.schema as Record<string, unknown>))}</td><td>${escapeHtml(p.description ?? '')}</td></tr>`,
          )
          .join('')}</tbody></table>`
      : ''
  }
  ${body ? `<details><summary>Request body (application/json)</summary>${schemaBlock(body)}</details>` : ''}
  <table class="responses"><thead><tr><th>status</th><th>answer</th></tr></thead><tbody>${responses
    .map(([status, r]) => `<tr class="${status.startsWith('2') ? 'ok' : 'error'}"><td>${escapeHtml(status)}</td><td>${escapeHtml(r.description)}</td></tr>`)
    .join('')}</tbody></table>
</section>`;
}

export function renderDocsPage(doc: OpenApiDocument): string {
  const byTag = new Map<string, Array<{ path: string; method: string; op: OpenApiOperation }>>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), { path, method, op }]);
    }
  }
  const tags = doc.tags.filter((t) => byTag.has(t.name));
  const catalog = doc.components['x-error-catalog'] as Record<string, { status: number; title: string; hint: string }>;
  const sections = tags
    .map((t) => {
      const ops = byTag.get(t.name)!.sort((a, b) => a.path.localeCompare(b.path) || METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method));
      return `<h2 id="tag-${escapeHtml(t.name)}">${escapeHtml(t.name)} <small>${escapeHtml(t.description)}</small></h2>${ops.map((o) => operationHtml(o.path, o.method, o.op)).join('')}`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.info.title)} API ${escapeHtml(doc.info.version)}</title>
<link rel="stylesheet" href="/docs/docs.css">
</head>
<body>
<header>
  <h1>${escapeHtml(doc.info.title)} API <small>${escapeHtml(doc.info.version)} · OpenAPI ${escapeHtml(doc.openapi)}</small></h1>
  <p>${escapeHtml(doc.info.description)}</p>
  <p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Dashboard: <a href="/">/</a>. Queues: <a href="/admin/queues">/admin/queues</a>.</p>
  <nav>${tags.map((t) => `<a href="#tag-${escapeHtml(t.name)}">${escapeHtml(t.name)}</a>`).join(' · ')} · <a href="#errors">errors</a></nav>
</header>
<main>
${sections}
<h2 id="errors">errors <small>every error answers {"error":{"code","message","hint","details"}}</small></h2>
<details open><summary>Error body schema</summary>${schemaBlock(doc.components.schemas?.Error)}</details>
<table class="errors"><thead><tr><th>code</th><th>status</th><th>meaning</th><th>what to do</th></tr></thead><tbody>
${Object.entries(catalog)
  .map(([code, e]) => `<tr><td><code>${escapeHtml(code)}</code></td><td>${e.status}</td><td>${escapeHtml(e.title)}</td><td>${escapeHtml(e.hint)}</td></tr>`)
  .join('\n')}
</tbody></table>
</main>
</body>
</html>
`;
}

export const DOCS_CSS = `
:root { color-scheme: light dark; --fg: #1d232b; --muted: #5b6573; --line: #d8dde3; --bg: #fff; --code: #f3f5f7; }
@media (prefers-color-scheme: dark) { :root { --fg: #e3e7ec; --muted: #9aa5b2; --line: #333b45; --bg: #14181d; --code: #1d232b; } }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem 4rem; }
h1 small, h2 small { color: var(--muted); font-weight: normal; font-size: 0.6em; margin-left: 0.5em; }
h2 { border-bottom: 2px solid var(--line); padding-bottom: 0.2em; margin-top: 2.2em; }
nav a { margin: 0 0.2em; }
.op { border: 1px solid var(--line); border-radius: 6px; padding: 0.4rem 1rem 0.8rem; margin: 0.9rem 0; }
.op h3 { font-size: 1rem; margin: 0.5rem 0; }
.access { float: right; font-weight: normal; color: var(--muted); font-size: 0.85rem; }
.method { display: inline-block; min-width: 4.2em; text-align: center; border-radius: 4px; color: #fff; padding: 0.05em 0.4em; font-size: 0.8rem; }
.method.get { background: #2f6fb3; } .method.post { background: #2f8a4c; } .method.delete { background: #b03a3a; } .method.put, .method.patch { background: #a3701d; }
.summary { margin: 0.2rem 0; } .description { color: var(--muted); margin: 0.2rem 0 0.5rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0; font-size: 0.88rem; }
th, td { border-bottom: 1px solid var(--line); text-align: left; padding: 0.25rem 0.5rem; vertical-align: top; }
tr.error td:first-child { color: #b03a3a; } tr.ok td:first-child { color: #2f8a4c; }
code, pre { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: 0.85em; }
pre.schema { background: var(--code); padding: 0.6rem; border-radius: 4px; overflow: auto; max-height: 28rem; }
details summary { cursor: pointer; color: var(--muted); margin: 0.3rem 0; }
`;
