/* global document, window, EventSource */
/**
 * The lifeboat dashboard: plain browser JavaScript, no build step, no framework, nothing
 * from the internet. The page holds no data of its own: everything comes from the API,
 * authenticated by the session cookie that POST /v1/session sets.
 *
 * What it shows, and where it reads it:
 * - per region, traffic share per DNS name and capacity per service (GET /v1/fleet);
 * - N+1 readiness per region (GET /v1/readiness), and on a survivor with warm pools how much of
 *   its growth they would cover if each other region failed (its regions[].warmCoverage);
 * - running and recent operations (GET /v1/operations), the selected one's step timeline
 *   (GET /v1/operations/:id) and its live events (EventSource on /v1/operations/:id/events);
 * - an evacuation plan preview (POST /v1/plans, which only plans);
 * - in the header, which AWS endpoints answer, the workers connected and Redis (GET /v1/status).
 * Charts are inline SVG; their elements carry data-* attributes with the numbers they draw.
 */

const ACTIVE_STATES = new Set(['queued', 'running', 'cancelling']);
const EVENT_TYPES = ['operation.started', 'step.started', 'step.finished', 'capacity.progress', 'weights.applied', 'operation.finished', 'operation.error'];
const FLEET_EVENTS = new Set(['step.finished', 'capacity.progress', 'weights.applied', 'operation.finished']);
const MAX_EVENTS_SHOWN = 16;
const SVG_NS = 'http://www.w3.org/2000/svg';

const state = {
  identity: null,
  fleet: null,
  evacuated: [],
  readiness: null,
  models: null,
  operations: [],
  /** Whether the operations have been read once since signing in: until then the header says "loading", not "idle". */
  operationsLoaded: false,
  /** The operation shown in detail; chosen by a click (pinned) or the newest running one. */
  selectedId: null,
  pinned: false,
  selected: null,
  events: [],
  source: null,
  sourceFor: null,
};

// ---------------------------------------------------------------------------------------------
// Small helpers: DOM building (never innerHTML with data), formatting, the API.

const $ = (id) => document.getElementById(id);

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof window.Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function setAttributes(node, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  return node;
}

/** An HTML element: el('td', { class: 'num' }, '42'). */
function el(tag, attrs = {}, ...children) {
  return append(setAttributes(document.createElement(tag), attrs), children);
}

/** An SVG element. */
function svg(tag, attrs = {}, ...children) {
  return append(setAttributes(document.createElementNS(SVG_NS, tag), attrs), children);
}

const round = (x, digits = 1) => Number(x.toFixed(digits));
const percent = (share) => `${(share * 100).toFixed(share === 0 || share === 1 ? 0 : 1)}%`;
const unique = (values) => [...new Set(values)];
const pad = (n) => String(n).padStart(2, '0');

function clock(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function duration(ms) {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${pad(Math.round(s % 60))} s`;
}

const ms = (iso) => (iso ? new Date(iso).getTime() : undefined);

class ApiError extends Error {
  constructor(status, error) {
    super(error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = error?.code;
    this.hint = error?.hint;
  }
}

/** The API, with the session cookie; a 401 anywhere means the session is over. */
async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  // Changes made with the cookie must say JSON, even without a body (see src/api/auth.ts).
  if (method !== 'GET') headers['content-type'] = 'application/json';
  const res = await window.fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const error = new ApiError(res.status, data?.error);
    if (res.status === 401 && state.identity && path !== '/v1/session') signedOut('Your session has ended: sign in again.');
    throw error;
  }
  return data;
}

/** Like replaceChildren, but leaves out what is not there (null, undefined, false). */
function replaceContent(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

function notice(message) {
  const box = $('notice');
  box.hidden = !message;
  box.textContent = message ?? '';
}

function describeError(e) {
  if (e instanceof ApiError) return `${e.message}${e.hint ? ` — ${e.hint}` : ''}`;
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------------------------------------
// Refreshing: each source on its own interval, never two requests for one source at once,
// faster while an operation runs; events ask for a refresh "soon".

function poller(load, intervalMs) {
  let running = false;
  let next = 0;
  /** When an event asked for a refresh while one was already under way. */
  let asked = Infinity;
  const run = async () => {
    running = true;
    asked = Infinity;
    try {
      await load();
      setStatus();
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) setStatus(describeError(e));
    } finally {
      running = false;
      next = Math.min(Date.now() + intervalMs(), asked);
    }
  };
  return {
    run,
    due: () => !running && Date.now() >= next,
    /** Run within `delay` ms (coalescing bursts of events into one request). */
    soon(delay = 300) {
      const at = Date.now() + delay;
      if (running) asked = Math.min(asked, at);
      else next = Math.min(next, at);
    },
    reset() {
      next = 0;
    },
  };
}

const busy = () => state.operations.some((op) => ACTIVE_STATES.has(op.state));

const pollers = {
  operations: poller(loadOperations, () => (busy() ? 1500 : 2000)),
  fleet: poller(loadFleet, () => (busy() ? 2000 : 20000)),
  readiness: poller(loadReadiness, () => 20000),
  selected: poller(loadSelected, () => (state.selected && ACTIVE_STATES.has(state.selected.state) ? 2000 : 60000)),
  reach: poller(loadReach, () => 10000),
};

let ticker = null;

function startPolling() {
  for (const p of Object.values(pollers)) p.reset();
  if (ticker === null) ticker = window.setInterval(tick, 250);
  tick();
}

function stopPolling() {
  if (ticker !== null) window.clearInterval(ticker);
  ticker = null;
  closeSource();
}

function tick() {
  if (!state.identity) return;
  for (const p of Object.values(pollers)) if (p.due()) void p.run();
}

function setStatus(problem) {
  const status = $('status');
  if (problem) {
    status.dataset.status = 'error';
    status.textContent = problem;
    return;
  }
  if (!state.operationsLoaded) {
    status.dataset.status = 'loading';
    status.textContent = 'loading…';
    return;
  }
  const live = state.source && state.source.readyState !== EventSource.CLOSED;
  status.dataset.status = busy() ? 'busy' : 'idle';
  const running = state.operations.find((op) => ACTIVE_STATES.has(op.state));
  // Where the running operation is, as a person says it: "evacuating us-east-1: stage 2 of 4".
  const shown = running && state.selected?.id === running.id ? state.selected : running;
  const what = running ? `${(shown && stageText(shown)) ?? 'operation running'}${live ? ' · live' : ''}` : 'idle';
  status.textContent = `${what} · updated ${clock(new Date().toISOString())}`;
}

const VERBS = { evacuate: 'evacuating', shift: 'shifting', restore: 'restoring', scale: 'scaling', reconcile: 'reconciling', runbook: 'running' };

/** "evacuating us-east-1: stage 2 of 4", or "… before stage 1 of 3" while capacity comes in; null without stages. */
function stageText(op) {
  const steps = op.steps ?? [];
  const stages = unique(steps.filter((s) => typeof s.stage === 'number').map((s) => s.stage));
  const what = `${VERBS[op.kind] ?? op.kind} ${target(op)}`;
  if (op.state === 'cancelling') return `${what}: cancelling`;
  if (stages.length === 0) return op.state === 'queued' ? `${what}: queued` : what;
  const running = steps.find((s) => s.state === 'running' && typeof s.stage === 'number');
  const reached = Math.max(0, ...steps.filter((s) => s.kind === 'apply-weights' && s.state === 'succeeded').map((s) => s.stage));
  const stage = running?.stage ?? reached;
  return stage > 0 ? `${what}: stage ${stage} of ${stages.length}` : `${what}: before stage 1 of ${stages.length}`;
}

// ---------------------------------------------------------------------------------------------
// Signing in and out.

async function signIn(event) {
  event.preventDefault();
  const input = $('token');
  const error = $('login-error');
  error.hidden = true;
  try {
    const { identity } = await api('/v1/session', { method: 'POST', body: { token: input.value.trim() } });
    input.value = '';
    signedIn(identity);
  } catch (e) {
    error.textContent = e instanceof ApiError && e.status === 401 ? 'That token is not valid.' : describeError(e);
    error.hidden = false;
  }
}

async function signOut() {
  await api('/v1/session', { method: 'DELETE' }).catch(() => undefined);
  signedOut();
}

function signedIn(identity) {
  state.identity = identity;
  state.operationsLoaded = false;
  setStatus();
  $('identity').textContent = `${identity.name} · ${identity.roles.join(', ')}`;
  $('who').hidden = false;
  $('login').hidden = true;
  $('dashboard').hidden = false;
  notice(null);
  startPolling();
}

function signedOut(message) {
  state.identity = null;
  stopPolling();
  $('who').hidden = true;
  $('reach').hidden = true;
  $('dashboard').hidden = true;
  $('login').hidden = false;
  $('status').dataset.status = 'signed-out';
  $('status').textContent = 'signed out';
  notice(message ?? null);
  $('token').focus();
}

// ---------------------------------------------------------------------------------------------
// The header's reach line: which AWS endpoints answer, workers connected, Redis (GET /v1/status).

async function loadReach() {
  const { status } = await api('/v1/status');
  const item = (ok, text, title) => el('span', { class: 'reach-item', 'data-ok': String(ok), title }, text);
  const down = status.aws.filter((a) => !a.ok);
  const aws = down.length
    ? item(false, `AWS down: ${down.map((a) => (a.service === 'route53' ? 'Route 53' : `${a.service} ${a.region}`)).join(', ')}`, down.map((a) => `${a.service} ${a.region}: ${a.error ?? 'no answer'}`).join('\n'))
    : item(true, `AWS: ${status.aws.length} endpoints up`, status.aws.map((a) => `${a.service} ${a.region}: ${a.ms ?? '?'} ms`).join('\n'));
  const workers = status.workers.connected;
  const redis = status.redis;
  const reach = $('reach');
  reach.dataset.awsDown = down.map((a) => `${a.service}:${a.region}`).join(',');
  reach.replaceChildren(
    aws,
    item(workers > 0, workers === null ? 'workers: ?' : `${workers} worker${workers === 1 ? '' : 's'}`, 'workers connected to the operations queue'),
    item(redis.connection === 'ready', `Redis ${redis.role ?? redis.connection}`, redisDetail(redis)),
  );
  reach.hidden = false;
}

/** The Redis item's tooltip: the connection, the node and its role; behind Sentinel, the master name and the sentinels. */
function redisDetail(redis) {
  const lines = [`connection ${redis.connection}${redis.node ? ` to ${redis.node}` : ''}${redis.role ? `, role ${redis.role}` : ''}`];
  const s = redis.sentinel;
  if (s) lines.push(`Sentinel "${s.masterName}": ${s.monitoring ?? '?'} of ${s.configured} sentinels monitor it${s.master ? `, master ${s.master}` : ''}${s.error ? ` (${s.error})` : ''}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Fleet and readiness: one card per region.

async function loadFleet() {
  const data = await api('/v1/fleet');
  state.fleet = data.snapshot;
  state.evacuated = data.evacuatedRegions ?? [];
  renderRegions();
  fillRegionChoices();
}

/** The latest report, or (after an operation changed the fleet) a fresh one. */
let readinessStale = false;

async function loadReadiness() {
  const fresh = readinessStale;
  const data = await api(`/v1/readiness${fresh ? '?refresh=true' : ''}`);
  if (fresh) readinessStale = false;
  state.readiness = data.readiness;
  renderRegions();
}

function renderRegions() {
  const snapshot = state.fleet;
  if (!snapshot) return;
  const services = unique(snapshot.capacity.map((c) => c.service));
  const names = unique(snapshot.traffic.map((t) => t.name)).sort();
  // One scale per service across regions, so bars compare between cards.
  const scale = Object.fromEntries(services.map((s) => [s, Math.max(1, ...snapshot.capacity.filter((c) => c.service === s).map((c) => Math.max(c.maxSize, c.desiredCapacity, c.inService + c.pending)))]));
  const moving = new Set(state.operations.filter((op) => ACTIVE_STATES.has(op.state)).flatMap((op) => op.regions));
  $('regions').replaceChildren(...snapshot.regions.map((region) => regionCard(region, snapshot, { services, names, scale, moving: moving.has(region) })));
  $('fleet-time').textContent = `fleet read ${clock(snapshot.takenAt)}${snapshot.warnings.length ? ` · ${snapshot.warnings.length} warning${snapshot.warnings.length > 1 ? 's' : ''}` : ''}`;
  $('fleet-time').title = snapshot.warnings.map((w) => w.message).join('\n');
}

function regionCard(region, snapshot, { services, names, scale, moving }) {
  const capacity = snapshot.capacity.filter((c) => c.region === region);
  const sum = (key) => capacity.reduce((a, c) => a + c[key], 0);
  const evacuated = state.evacuated.includes(region);
  const movement = regionMovement(region, snapshot, evacuated);
  return el(
    'article',
    { class: `region${evacuated ? ' region-evacuated' : ''}${moving ? ' region-moving' : ''}`, 'data-region': region, 'data-evacuated': String(evacuated) },
    el(
      'header',
      { class: 'region-head' },
      el('h3', {}, region),
      el('span', { class: 'badges' }, movement, moving && !movement ? el('span', { class: 'badge badge-busy' }, 'changing') : null, staleBadge(region, snapshot), readinessBadge(region)),
    ),
    el(
      'p',
      { class: 'region-totals' },
      el('strong', {}, String(sum('inService'))),
      ' in service · target ',
      el('strong', {}, String(sum('desiredCapacity'))),
      ' · ceiling ',
      el('strong', {}, String(sum('maxSize'))),
      sum('pending') ? ` · ${sum('pending')} launching` : '',
    ),
    el('h4', {}, 'Traffic share'),
    trafficChart(region, names, snapshot),
    el('h4', {}, 'Capacity by service'),
    capacityChart(region, services, capacity, scale),
    warmPools(region, snapshot),
  );
}

/**
 * Dark capacity on a survivor's card: per service with a warm pool here, how much of the
 * growth its pools would cover if each other region failed, as the N+1 readiness report
 * says (GET /v1/readiness: regions[].warmCoverage, the evacuation plans' own figures).
 * Nothing when no group of this region has a warm pool.
 */
function warmPools(region, snapshot) {
  const pooled = unique(snapshot.groups.filter((g) => g.region === region && g.warmPool).map((g) => g.service)).sort();
  if (pooled.length === 0) return null;
  const losses = (state.readiness?.regions ?? []).filter((r) => r.region !== region);
  const rows = pooled.map((service) => {
    const covered = losses.flatMap((r) => (r.warmCoverage ?? []).filter((c) => c.service === service && c.region === region).map((c) => ({ ...c, lost: r.region })));
    return el(
      'li',
      { 'data-warm-service': service, 'data-region': region },
      el('strong', {}, service),
      ' ',
      covered.length === 0
        ? el('span', { class: 'muted' }, state.readiness ? 'warm pool; no growth if one neighbour fails' : 'warm pool')
        : covered.map((c, i) =>
            el(
              'span',
              {
                class: `warm-cover${c.cold > 0 ? ' warm-short' : ''}`,
                'data-warm-coverage': '',
                'data-service': service,
                'data-region': region,
                'data-lost': c.lost,
                'data-warm': c.warm,
                'data-growth': c.growth,
                'data-cold': c.cold,
                title: `If ${c.lost} failed, ${service} in ${region} would grow by ${c.growth}: ${c.warm} from its warm pools (in service in seconds), ${c.cold} launched cold.`,
              },
              i === 0 ? `warm ${c.warm} of ${c.growth} growth` : `${c.warm} of ${c.growth}`,
              el('span', { class: 'muted' }, ` if ${c.lost} fails`),
              i < covered.length - 1 ? ' · ' : '',
            ),
          ),
    );
  });
  return el('div', { class: 'warm-pools', 'data-warm-pools': region }, el('h4', {}, 'Warm pools (dark capacity)'), el('ul', { class: 'warm-list' }, ...rows));
}

/**
 * Where a region stands on traffic: "evacuating (22 %)" while an operation moves its traffic
 * away, "restoring (40 %)" while one brings it back, "partly evacuated (22 %)" when one left it
 * part-way, "evacuated" only once it serves nothing. The share is its largest over DNS names.
 */
function regionMovement(region, snapshot, evacuated) {
  const shares = snapshot.traffic.filter((t) => t.region === region).map((t) => t.share);
  const share = shares.length ? Math.max(...shares) : 0;
  const pct = `${Math.round(share * 100)} %`;
  const active = state.operations.filter((op) => ACTIVE_STATES.has(op.state));
  const from = (op) => (op.kind === 'evacuate' && op.request?.region === region) || (op.kind === 'shift' && op.request?.from === region);
  const badge = (kind, cls, text) => el('span', { class: `badge ${cls}`, 'data-region-state': kind, 'data-share': String(share) }, text);
  if (active.some(from)) return badge('evacuating', 'badge-busy', `evacuating (${pct})`);
  if (active.some((op) => op.kind === 'restore' && op.request?.region === region)) return badge('restoring', 'badge-busy', `restoring (${pct})`);
  if (evacuated && share > 0) return badge('partly-evacuated', 'badge-busy', `partly evacuated (${pct})`);
  if (evacuated) return badge('evacuated', 'badge-bad', 'evacuated');
  return null;
}

/** A region that did not answer: its groups are from its last good reading (or unknown), and the card says so. */
function staleBadge(region, snapshot) {
  const w = snapshot.warnings.find((x) => x.region === region && (x.code === 'REGION_FROM_SNAPSHOT' || x.code === 'REGION_UNREADABLE'));
  if (!w) return null;
  const text = w.code === 'REGION_FROM_SNAPSHOT' ? `not answering · read ${duration((w.ageSeconds ?? 0) * 1000)} ago` : 'not answering · never read';
  return el('span', { class: 'badge badge-bad', 'data-stale': region, title: w.message }, text);
}

function readinessBadge(region) {
  const report = state.readiness?.regions.find((r) => r.region === region);
  if (!report) return null;
  const headroom = report.minHeadroom;
  const text = report.ready ? `N+1 ready${headroom !== null ? ` · headroom ${headroom >= 0 ? '+' : ''}${headroom}` : ''}` : `N+1 not ready${headroom !== null ? ` · short ${-headroom}` : ''}`;
  // While an operation moves capacity and traffic, "not ready" is what a region mid-move looks like, not an alarm.
  const expected = !report.ready && busy();
  const why = report.ready
    ? `If ${region} failed, the other regions could absorb its traffic within their ceilings${headroom !== null ? ` (smallest headroom: ${headroom} instances)` : ''}. Computed ${clock(state.readiness.computedAt)}.`
    : `If ${region} failed, the other regions could not absorb it: ${report.blockers.map((b) => b.message).join('; ')}${expected ? ' (expected while an operation runs; rechecked after it)' : ''}`;
  const cls = report.ready ? 'badge-good' : expected ? 'badge-info' : 'badge-bad';
  return el('span', { class: `badge ${cls}`, 'data-readiness': region, 'data-ready': String(report.ready), 'data-expected': String(expected), 'data-min-headroom': headroom ?? '', title: why }, expected ? `${text} · expected mid-operation` : text);
}

/** Bars per DNS name: this region's share of the name's traffic. */
function trafficChart(region, names, snapshot) {
  const W = 400;
  const ROW = 24;
  const LABEL = 148;
  const BAR = 190;
  const rows = names.map((name) => snapshot.traffic.find((t) => t.name === name && t.region === region));
  const chart = svg('svg', { class: 'chart chart-traffic', viewBox: `0 0 ${W} ${Math.max(1, rows.length) * ROW}`, role: 'img', 'aria-label': `Traffic share of ${region} per DNS name` });
  if (names.length === 0) return el('p', { class: 'muted' }, 'No weighted records.');
  names.forEach((name, i) => {
    const t = rows[i];
    const share = t ? t.share : 0;
    const y = i * ROW;
    chart.append(
      svg(
        'g',
        { class: 'traffic-bar', 'data-name': name, 'data-region': region, 'data-share': round(share, 4), 'data-weight': t ? t.weight : '' },
        svg('title', {}, t ? `${name} → ${region}: weight ${t.weight}, ${percent(share)} of the traffic` : `${name} has no record for ${region}`),
        svg('text', { x: 0, y: y + 16, class: 'label' }, shortName(name)),
        svg('rect', { x: LABEL, y: y + 5, width: BAR, height: 14, rx: 3, class: 'track' }),
        share > 0 ? svg('rect', { x: LABEL, y: y + 5, width: Math.max(2, share * BAR), height: 14, rx: 3, class: 'fill-traffic' }) : null,
        svg('text', { x: W, y: y + 16, class: `value${share === 0 ? ' value-zero' : ''}`, 'text-anchor': 'end' }, t ? percent(share) : '—'),
      ),
    );
  });
  return chart;
}

function shortName(name) {
  const trimmed = name.replace(/\.$/, '');
  return trimmed.length > 22 ? `${trimmed.slice(0, 21)}…` : trimmed;
}

/** A row per service: in service (and launching) against the target, on a track as long as the ceiling. */
function capacityChart(region, services, capacity, scale) {
  const W = 400;
  const ROW = 26;
  const LABEL = 76;
  const BAR = 226;
  const chart = svg('svg', { class: 'chart chart-capacity', viewBox: `0 0 ${W} ${Math.max(1, services.length) * ROW}`, role: 'img', 'aria-label': `Capacity of ${region} per service` });
  services.forEach((service, i) => {
    const c = capacity.find((x) => x.service === service);
    const y = i * ROW;
    if (!c) {
      chart.append(svg('text', { x: 0, y: y + 17, class: 'label muted' }, `${service}: none here`));
      return;
    }
    const x = (n) => LABEL + (n / scale[service]) * BAR;
    const ready = c.inService >= c.desiredCapacity;
    chart.append(
      svg(
        'g',
        {
          class: 'capacity-bar',
          'data-service': service,
          'data-region': region,
          'data-in-service': c.inService,
          'data-pending': c.pending,
          'data-desired': c.desiredCapacity,
          'data-max': c.maxSize,
          'data-min': c.minSize,
        },
        svg('title', {}, `${service} in ${region}: ${c.inService} in service, ${c.pending} launching, target ${c.desiredCapacity}, ceiling ${c.maxSize} (MinSize ${c.minSize}; groups ${c.groups.join(', ')})`),
        svg('text', { x: 0, y: y + 17, class: 'label' }, service),
        svg('rect', { x: LABEL, y: y + 6, width: x(c.maxSize) - LABEL, height: 14, rx: 3, class: 'track-ceiling' }),
        c.pending > 0 ? svg('rect', { x: x(c.inService), y: y + 6, width: x(c.inService + c.pending) - x(c.inService), height: 14, class: 'fill-pending' }) : null,
        c.inService > 0 ? svg('rect', { x: LABEL, y: y + 6, width: x(c.inService) - LABEL, height: 14, rx: 3, class: 'fill-in-service' }) : null,
        svg('line', { x1: x(c.desiredCapacity), x2: x(c.desiredCapacity), y1: y + 2, y2: y + 24, class: 'marker-target' }),
        svg('text', { x: W, y: y + 17, class: 'value', 'text-anchor': 'end' }, svg('tspan', { class: ready ? '' : 'value-short' }, String(c.inService)), ` / ${c.desiredCapacity} / ${c.maxSize}`),
      ),
    );
  });
  return chart;
}

// ---------------------------------------------------------------------------------------------
// Operations: the list, the selected one's timeline, its live events.

async function loadOperations() {
  const data = await api('/v1/operations?limit=12');
  const wasBusy = busy();
  state.operations = data.operations;
  state.operationsLoaded = true;
  chooseSelected();
  renderOperations();
  // Something started or ended: the fleet is about to change (or just did).
  if (busy() !== wasBusy) pollers.fleet.soon(0);
}

function chooseSelected() {
  const ops = state.operations;
  const known = ops.some((op) => op.id === state.selectedId);
  if (state.pinned && known) return select(state.selectedId, true);
  const running = ops.find((op) => ACTIVE_STATES.has(op.state));
  const current = ops.find((op) => op.id === state.selectedId);
  // Follow what runs now, unless the one shown is itself still running.
  if (running && !(current && ACTIVE_STATES.has(current.state))) return select(running.id, false);
  if (!current && ops.length) return select(ops[0].id, false);
  if (current) return select(current.id, state.pinned);
  return undefined;
}

function select(id, pinned) {
  const changed = id !== state.selectedId;
  state.selectedId = id;
  state.pinned = pinned;
  if (changed) {
    state.selected = null;
    state.events = [];
    closeSource();
    renderSelected();
    pollers.selected.soon(0);
  }
  // Live while it runs; a finished one's stream replays its events and ends.
  const summary = state.operations.find((op) => op.id === id);
  if (summary && state.sourceFor !== id && (changed || ACTIVE_STATES.has(summary.state))) openSource(id);
}

function target(op) {
  const r = op.request ?? {};
  switch (op.kind) {
    case 'shift':
      return `${r.percent ?? '?'}% from ${r.from}${r.to ? ` to ${[].concat(r.to).join(', ')}` : ''}`;
    case 'scale':
      return `${r.service} in ${r.region} → ${r.desiredCapacity}`;
    case 'runbook':
      return String(r.runbook ?? r.name ?? op.regions.join(', '));
    default:
      return String(r.region ?? op.regions.join(', '));
  }
}

function took(op) {
  const start = ms(op.startedAt);
  if (!start) return op.state === 'queued' ? 'waiting' : '–';
  const end = ms(op.finishedAt) ?? Date.now();
  return duration(end - start);
}

function stateBadge(value) {
  return el('span', { class: `badge state state-${value}`, 'data-state': value }, value);
}

/** A click on an operation: show it, and keep showing it whatever else starts. */
function choose(id) {
  select(id, true);
  renderOperations();
}

function renderOperations() {
  const body = $('operations').tBodies[0];
  if (state.operations.length === 0) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: 4, class: 'muted' }, 'No operations yet.')));
    return;
  }
  body.replaceChildren(
    ...state.operations.map((op) =>
      el(
        'tr',
        {
          'data-operation-id': op.id,
          'data-state': op.state,
          'data-kind': op.kind,
          class: op.id === state.selectedId ? 'selected' : null,
          tabindex: 0,
          onclick: () => choose(op.id),
          onkeydown: (e) => {
            if (e.key === 'Enter' || e.key === ' ') {
              e.preventDefault();
              choose(op.id);
            }
          },
        },
        el('td', {}, el('div', { class: 'op-what' }, el('strong', {}, op.kind), ' ', target(op)), el('div', { class: 'op-id mono muted' }, op.id)),
        el('td', {}, stateBadge(op.state)),
        el('td', { class: 'mono' }, clock(op.startedAt ?? op.createdAt)),
        el('td', { class: 'mono' }, took(op)),
      ),
    ),
  );
}

async function loadSelected() {
  const id = state.selectedId;
  if (!id) return;
  const { operation } = await api(`/v1/operations/${encodeURIComponent(id)}`);
  if (id !== state.selectedId) return;
  state.selected = operation;
  renderSelected();
}

function renderSelected() {
  const op = state.selected;
  const body = $('operation-body');
  $('operation-live').hidden = !(state.source && state.sourceFor === state.selectedId);
  $('events-box').hidden = state.events.length === 0;
  if (!op) {
    body.replaceChildren(el('p', { class: 'muted' }, state.selectedId ? 'Loading…' : 'Select an operation to see its steps.'));
    return;
  }
  $('operation-title').textContent = `${op.kind[0].toUpperCase()}${op.kind.slice(1)} ${target(op)}`;
  const reason = op.request?.reason;
  replaceContent(
    body,
    el('div', { class: 'op-meta' }, stateBadge(op.state), el('span', { class: 'mono' }, op.id), el('span', {}, `by ${op.actor}`), op.forced ? el('span', { class: 'badge badge-bad' }, 'forced') : null, reason ? el('span', { class: 'muted' }, `“${reason}”`) : null),
    ACTIVE_STATES.has(op.state) ? el('p', { class: 'op-progress', 'data-stage-text': stageText(op) ?? '' }, el('strong', {}, stageText(op) ?? op.state), op.progress ? el('span', { class: 'muted' }, ` · ${op.progress.message}`) : null) : null,
    cancelButtons(op),
    op.error ? el('p', { class: 'error' }, `${op.error.code}: ${op.error.message}`) : null,
    op.result ? el('p', { class: 'op-result' }, op.result.summary) : null,
    timeline(op),
  );
}

/** Whoever may cancel (operator, admin) gets both buttons on a running operation; each asks first. */
function cancelButtons(op) {
  const roles = state.identity?.roles ?? [];
  if (!ACTIVE_STATES.has(op.state) || op.state === 'cancelling' || !(roles.includes('operator') || roles.includes('admin'))) return null;
  const what = `${op.kind} ${target(op)}`;
  const cancel = async (rollback) => {
    const question = rollback
      ? `Cancel ${what} and roll back? Weights go back first, then capacity.`
      : `Cancel ${what}? It stops at its next safe point; the traffic stays where it is then.`;
    if (!window.confirm(question)) return;
    try {
      await api(`/v1/operations/${encodeURIComponent(op.id)}/cancel`, { method: 'POST', body: rollback ? { rollback: true } : {} });
      notice(null);
    } catch (e) {
      notice(`Could not cancel ${op.id}: ${describeError(e)}`);
    }
    pollers.selected.soon(0);
    pollers.operations.soon(0);
  };
  return el(
    'p',
    { class: 'op-actions' },
    el('button', { type: 'button', class: 'button button-quiet', 'data-action': 'cancel', onclick: () => void cancel(false) }, 'Cancel'),
    el('button', { type: 'button', class: 'button button-danger', 'data-action': 'cancel-rollback', onclick: () => void cancel(true) }, 'Cancel and roll back'),
  );
}

function niceStep(totalSeconds) {
  const steps = [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];
  return steps.find((s) => totalSeconds / s <= 6) ?? 14400;
}

/** One row per step: a bar from its start to its end on the operation's time axis, its duration and outcome. */
function timeline(op) {
  const steps = op.steps ?? [];
  if (steps.length === 0) return el('p', { class: 'muted' }, op.state === 'queued' ? 'Queued: no step has started.' : 'No steps.');
  const starts = steps.map((s) => ms(s.startedAt)).filter(Boolean);
  const t0 = ms(op.startedAt) ?? Math.min(...starts);
  const ends = steps.map((s) => ms(s.finishedAt) ?? (s.startedAt ? Date.now() : undefined)).filter(Boolean);
  const t1 = Math.max(t0 + 1000, ms(op.finishedAt) ?? 0, ...ends, ACTIVE_STATES.has(op.state) ? Date.now() : 0);
  const span = t1 - t0;
  const step = niceStep(span / 1000);
  const ticks = [];
  for (let s = 0; s * 1000 <= span + 1; s += step) ticks.push(s);
  const fraction = (t) => Math.min(1, Math.max(0, (t - t0) / span));

  const axis = el('div', { class: 'tl-scale' });
  for (const s of ticks) {
    const mark = el('span', { class: 'tl-tick' }, s === 0 ? '0' : s < 60 ? `${s} s` : `${round(s / 60, 1)} min`);
    mark.style.left = `${(fraction(t0 + s * 1000) * 100).toFixed(2)}%`;
    axis.append(mark);
  }
  const grid = () => ticks.map((s) => svg('line', { x1: fraction(t0 + s * 1000) * 1000, x2: fraction(t0 + s * 1000) * 1000, y1: 0, y2: 20, class: 'tl-grid', 'vector-effect': 'non-scaling-stroke' }));

  const rows = steps.map((s) => {
    const start = ms(s.startedAt);
    const end = ms(s.finishedAt) ?? (start ? Date.now() : undefined);
    const took = start && end ? end - start : undefined;
    const bar = svg('svg', { class: 'tl-bar', viewBox: '0 0 1000 20', preserveAspectRatio: 'none', 'aria-hidden': 'true' }, grid());
    if (start) {
      const x = fraction(start) * 1000;
      bar.append(svg('rect', { x, y: 3, width: Math.max(4, fraction(end) * 1000 - x), height: 14, class: `tl-fill tl-${s.state}` }));
    }
    return el(
      'li',
      { class: `tl-row tl-row-${s.state}`, 'data-step-id': s.id, 'data-step-state': s.state, 'data-duration-ms': took !== undefined ? Math.round(took) : '' },
      el('span', { class: 'tl-title', title: s.id }, s.title ?? s.id),
      bar,
      el('span', { class: 'tl-duration mono' }, s.state === 'pending' ? '' : s.state === 'skipped' ? 'skipped' : duration(took)),
      s.outcome || s.error ? el('span', { class: 'tl-outcome' }, s.error && !s.outcome ? s.error.message : s.outcome) : null,
    );
  });
  return el('div', { class: 'timeline', 'data-operation-id': op.id }, el('div', { class: 'tl-axis' }, el('span'), axis, el('span')), el('ol', { class: 'tl-rows' }, rows));
}

function openSource(id) {
  closeSource();
  const source = new EventSource(`/v1/operations/${encodeURIComponent(id)}/events`);
  state.source = source;
  state.sourceFor = id;
  for (const type of EVENT_TYPES) source.addEventListener(type, (message) => onEvent(id, type, message));
  source.addEventListener('open', () => setStatus());
  source.addEventListener('error', () => {
    // The browser reconnects by itself (with Last-Event-ID); a 204 or a 4xx closes it for good.
    if (source.readyState === EventSource.CLOSED && state.source === source) closeSource();
    setStatus();
  });
  renderSelected();
}

function closeSource() {
  if (state.source) state.source.close();
  state.source = null;
  state.sourceFor = null;
  const live = $('operation-live');
  if (live) live.hidden = true;
}

function onEvent(id, type, message) {
  if (id !== state.selectedId) return;
  let event;
  try {
    event = JSON.parse(message.data);
  } catch {
    return;
  }
  // Waiting repeats itself (capacity 41 / 69, again and again): one line with a count.
  const text = describeEvent(event);
  const last = state.events[0];
  if (last && last.type === event.type && last.text === text) {
    last.repeats = (last.repeats ?? 1) + 1;
    last.at = event.at;
    last.id = event.id;
  } else {
    state.events.unshift({ ...event, text });
  }
  state.events.length = Math.min(state.events.length, 200);
  renderEvents();
  pollers.selected.soon(150);
  pollers.operations.soon(300);
  if (FLEET_EVENTS.has(type)) pollers.fleet.soon(type === 'capacity.progress' ? 800 : 200);
  if (type === 'operation.finished') {
    closeSource();
    readinessStale = true;
    pollers.readiness.soon(500);
    renderSelected();
  }
}

function describeEvent(e) {
  const d = e.data ?? {};
  switch (e.type) {
    case 'step.started':
      return `${d.title ?? d.step} started`;
    case 'step.finished':
      return `${d.step} ${d.state}${d.durationMs !== undefined ? ` in ${duration(d.durationMs)}` : ''}${d.outcome ? `: ${d.outcome}` : ''}`;
    case 'capacity.progress': {
      const c = d.capacity ?? [];
      const have = c.reduce((a, x) => a + x.inService, 0);
      const want = c.reduce((a, x) => a + x.target, 0);
      return `capacity ${have} / ${want} in service across ${c.length} groups`;
    }
    case 'weights.applied': {
      // Per region, the weights it now has across names (the full list is in the tooltip).
      const weights = d.weights ?? [];
      const regions = unique(weights.map((w) => w.region)).map((region) => {
        const mine = weights.filter((w) => w.region === region).map((w) => w.weight);
        const [low, high] = [Math.min(...mine), Math.max(...mine)];
        return `${region} ${low === high ? low : `${low}–${high}`}`;
      });
      return `weights on ${unique(weights.map((w) => w.name)).length} names: ${regions.join(' · ')}`;
    }
    case 'operation.finished':
      return `${d.state}${d.summary ? `: ${d.summary}` : ''}`;
    case 'operation.error':
      return `${d.error?.message ?? 'error'}${d.retrying ? ' (retrying)' : ''}`;
    default:
      return d.actor ? `by ${d.actor}` : '';
  }
}

function renderEvents() {
  $('events-box').hidden = state.events.length === 0;
  $('events').replaceChildren(
    ...state.events.slice(0, MAX_EVENTS_SHOWN).map((e) => el('li', { 'data-event-type': e.type, 'data-event-id': e.id, title: JSON.stringify(e.data) }, el('span', { class: 'mono muted' }, clock(e.at)), el('span', { class: `event-type event-${e.type.replace('.', '-')}` }, e.type), el('span', { class: 'event-text' }, e.text, e.repeats ? el('span', { class: 'muted' }, ` ×${e.repeats}`) : null))),
  );
}

// ---------------------------------------------------------------------------------------------
// The plan preview.

function fillRegionChoices() {
  const select = $('plan-region');
  const regions = state.fleet?.regions ?? [];
  const have = [...select.options].map((o) => o.value);
  if (have.join() === regions.join()) return;
  const chosen = select.value;
  select.replaceChildren(...regions.map((r) => el('option', { value: r, selected: r === chosen }, r)));
  if (!state.models) void loadModels();
}

async function loadModels() {
  state.models = [];
  const data = await api('/v1/models').catch(() => null);
  if (!data) return;
  state.models = data.models.map((m) => m.name);
  $('plan-model').replaceChildren(el('option', { value: '' }, `default (${data.default})`), ...state.models.map((m) => el('option', { value: m }, m)));
}

function parseStages(text) {
  const t = text.trim();
  if (!t) return undefined;
  const parts = t.split(/[\s,]+/).filter(Boolean).map(Number);
  if (parts.some((n) => !Number.isFinite(n))) throw new Error('Stages: a count (2) or cumulative percentages ending at 100 (10,50,100).');
  return parts.length === 1 ? parts[0] : parts;
}

async function previewPlan(event) {
  event.preventDefault();
  const out = $('plan');
  const region = $('plan-region').value;
  try {
    const stages = parseStages($('plan-stages').value);
    const model = $('plan-model').value;
    out.replaceChildren(el('p', { class: 'muted' }, `Planning the evacuation of ${region}…`));
    const { plan } = await api('/v1/plans', { method: 'POST', body: { kind: 'evacuate', region, ...(stages !== undefined ? { stages } : {}), ...(model ? { model } : {}) } });
    out.replaceChildren(renderPlan(plan));
  } catch (e) {
    out.replaceChildren(el('p', { class: 'error' }, describeError(e)));
  }
}

function sizeCell(from, to) {
  return el('td', { class: `num${from !== to ? ' changed' : ''}` }, from === to ? String(to) : `${from} → ${to}`);
}

function renderPlan(plan) {
  const regions = plan.regions;
  const blocked = plan.blockers.length > 0;
  const parts = [
    el(
      'p',
      { class: 'plan-summary' },
      el('strong', {}, `Evacuate ${plan.region}`),
      ` with the ${plan.model} model: ${plan.groupChanges.length} group change${plan.groupChanges.length === 1 ? '' : 's'} first, then ${plan.stages.length} stage${plan.stages.length === 1 ? '' : 's'} of weights on ${plan.names.length} name${plan.names.length === 1 ? '' : 's'}. `,
      el('span', { class: 'muted' }, `Fleet read ${clock(plan.snapshotTakenAt)}.`),
      ' ',
      el('span', { class: `badge ${blocked ? 'badge-bad' : 'badge-good'}` }, blocked ? 'blocked' : 'can be carried out'),
    ),
  ];
  if (blocked) parts.push(el('ul', { class: 'plan-blockers error' }, plan.blockers.map((b) => el('li', {}, `${b.code}: ${b.message}`))));
  if (plan.warnings.length) parts.push(el('details', { class: 'plan-warnings' }, el('summary', {}, `${plan.warnings.length} warning${plan.warnings.length > 1 ? 's' : ''}`), el('ul', {}, plan.warnings.map((w) => el('li', {}, w.message)))));

  parts.push(
    el('h3', {}, '1. Prescale: group changes (absolute sizes)'),
    plan.groupChanges.length === 0
      ? el('p', { class: 'muted' }, 'No group changes.')
      : el(
          'table',
          { id: 'plan-group-changes', class: 'table plan-table' },
          el('thead', {}, el('tr', {}, el('th', {}, 'Region'), el('th', {}, 'Service'), el('th', {}, 'Group'), el('th', { class: 'num' }, 'Min'), el('th', { class: 'num' }, 'Desired'), el('th', { class: 'num' }, 'Max'))),
          el(
            'tbody',
            {},
            plan.groupChanges.map((g) =>
              el('tr', { 'data-region': g.region, 'data-group': g.group }, el('td', {}, g.region), el('td', {}, g.service), el('td', { class: 'mono' }, g.group), sizeCell(g.from.minSize, g.to.minSize), sizeCell(g.from.desiredCapacity, g.to.desiredCapacity), sizeCell(g.from.maxSize, g.to.maxSize)),
            ),
          ),
        ),
  );

  const now = (name, region) => state.fleet?.traffic.find((t) => t.name === name && t.region === region);
  parts.push(
    el('h3', {}, '2. Stages: weights (share) per DNS name'),
    el(
      'table',
      { id: 'plan-stages', class: 'table plan-table' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Stage'), el('th', {}, 'DNS name'), regions.map((r) => el('th', { class: 'num' }, r)))),
      el(
        'tbody',
        {},
        plan.names.map((name, i) =>
          el(
            'tr',
            { class: i === 0 ? 'stage-first' : null },
            i === 0 ? el('td', { rowspan: plan.names.length, class: 'muted' }, 'now') : null,
            el('td', { class: 'mono' }, name),
            regions.map((r) => {
              const t = now(name, r);
              return el('td', { class: 'num muted' }, t ? `${t.weight} (${percent(t.share)})` : '–');
            }),
          ),
        ),
        plan.stages.flatMap((stage) =>
          plan.names.map((name, i) =>
            el(
              'tr',
              { class: i === 0 ? 'stage-first' : null, 'data-stage': stage.index, 'data-name': name },
              i === 0 ? el('td', { rowspan: plan.names.length }, el('strong', {}, `${stage.index}`), el('span', { class: 'muted' }, ` · ${stage.percent}% moved`)) : null,
              el('td', { class: 'mono' }, name),
              regions.map((r) => {
                const t = stage.traffic.find((x) => x.name === name && x.region === r);
                return el('td', { class: `num${t && t.share === 0 ? ' zero' : ''}`, 'data-region': r, 'data-share': t ? round(t.share, 4) : '' }, t ? `${t.weight} (${percent(t.share)})` : '–');
              }),
            ),
          ),
        ),
      ),
    ),
  );

  parts.push(
    el('h3', {}, '3. Capacity targets per service'),
    el(
      'table',
      { id: 'plan-targets', class: 'table plan-table' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Service'), el('th', {}, 'Region'), el('th', { class: 'num' }, 'Share'), el('th', { class: 'num' }, 'Instances'), el('th', { class: 'num' }, 'Needed'), el('th', { class: 'num' }, 'Ceiling'), el('th', { class: 'num' }, 'Short'))),
      el(
        'tbody',
        {},
        plan.services.flatMap((s) =>
          s.regions.map((r, i) =>
            el(
              'tr',
              { class: i === 0 ? 'stage-first' : null },
              i === 0 ? el('td', { rowspan: s.regions.length }, s.service) : null,
              el('td', {}, r.region),
              el('td', { class: 'num' }, `${percent(r.share)} → ${percent(r.targetShare)}`),
              sizeCell(r.current, r.target),
              el('td', { class: 'num' }, String(r.required)),
              el('td', { class: 'num' }, String(r.ceiling)),
              el('td', { class: `num${r.shortfall > 0 ? ' short' : ''}` }, r.shortfall > 0 ? String(r.shortfall) : '–'),
            ),
          ),
        ),
      ),
    ),
  );
  if (plan.finalGroupChanges.length) parts.push(el('p', { class: 'muted' }, `After the last stage: ${plan.finalGroupChanges.length} more group changes.`));
  return el('div', { 'data-plan-kind': plan.kind, 'data-plan-region': plan.region ?? '', 'data-blockers': plan.blockers.length }, parts);
}

// ---------------------------------------------------------------------------------------------
// Start: the cookie may already hold a session.

async function boot() {
  $('login-form').addEventListener('submit', signIn);
  $('logout').addEventListener('click', () => void signOut());
  $('plan-form').addEventListener('submit', previewPlan);
  window.setInterval(() => {
    // Running durations and bars grow with the clock between refreshes.
    if (state.identity && busy()) {
      renderOperations();
      if (state.selected && ACTIVE_STATES.has(state.selected.state)) renderSelected();
    }
  }, 1000);
  try {
    const { identity } = await api('/v1/session');
    signedIn(identity);
  } catch {
    signedOut();
  }
}

void boot();
