import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_TOKENS } from '../support/harness';
import type { LiveLifeboat } from '../support/live-lifeboat';
import { startLiveLifeboat, WATCHABLE_PROFILE } from '../support/live-lifeboat';

/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core) during a real
 * evacuation: moto with the demo fleet behind the AWS proxy (instances take ~7 s, DNS changes
 * ~2 s), the API and a worker. The page is read through the data-* attributes of its charts.
 * Screenshots go to test-artifacts/dashboard/; the README's mid-evacuation screenshot is
 * written to test/e2e/screenshots/ when it is missing or LIFEBOAT_UPDATE_SCREENSHOTS=1.
 */

const ROOT = join(__dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'test-artifacts', 'dashboard');
const README_SCREENSHOT = join(ROOT, 'test', 'e2e', 'screenshots', 'dashboard-mid-evacuation.png');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const EVACUATED = 'us-east-1';
const SURVIVORS = ['us-west-2', 'eu-west-1'];
const VIEWPORT = { width: 1440, height: 1250 };

let live: LiveLifeboat;
let browser: BrowserContext;
let userDataDir: string;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No chromium at ${CHROMIUM}: install it (Debian: apt-get install chromium; .ci/run does) or set CHROMIUM_PATH.`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  // Launches slower than the demo's, so the page has time to show capacity coming in.
  live = await startLiveLifeboat({ profile: { ...WATCHABLE_PROFILE, launch: { launchSeconds: 5, warmupSeconds: 2 } } });
  userDataDir = mkdtempSync(join(tmpdir(), 'lifeboat-chromium-'));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: VIEWPORT,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // The CSP is default-src 'self': anything the page needs from elsewhere, or inline, shows up here.
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) pageErrors.push(m.text());
  });
}, 60_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await live?.stop();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
}, 60_000);

interface CapacityBar {
  service: string;
  region: string;
  inService: number;
  pending: number;
  desired: number;
  max: number;
}

interface PageState {
  capacity: CapacityBar[];
  traffic: Array<{ name: string; region: string; share: number }>;
  operations: Array<{ id: string; state: string }>;
  steps: Array<{ id: string; state: string; durationMs: number | null }>;
  events: string[];
}

/** What the charts and lists show, from their data-* attributes. */
async function readPage(): Promise<PageState> {
  const data = (selector: string, names: string[]) =>
    page.$$eval(selector, (elements, keys) => elements.map((e) => Object.fromEntries(keys.map((k) => [k, e.getAttribute(`data-${k}`)]))), names) as Promise<Array<Record<string, string | null>>>;
  const [capacity, traffic, operations, steps, events] = await Promise.all([
    data('.capacity-bar', ['service', 'region', 'in-service', 'pending', 'desired', 'max']),
    data('.traffic-bar', ['name', 'region', 'share']),
    data('#operations tr[data-operation-id]', ['operation-id', 'state']),
    data('.timeline [data-step-id]', ['step-id', 'step-state', 'duration-ms']),
    data('#events [data-event-type]', ['event-type']),
  ]);
  return {
    capacity: capacity.map((c) => ({ service: c.service!, region: c.region!, inService: Number(c['in-service']), pending: Number(c.pending), desired: Number(c.desired), max: Number(c.max) })),
    traffic: traffic.map((t) => ({ name: t.name!, region: t.region!, share: Number(t.share) })),
    operations: operations.map((o) => ({ id: o['operation-id']!, state: o.state! })),
    steps: steps.map((s) => ({ id: s['step-id']!, state: s['step-state']!, durationMs: s['duration-ms'] ? Number(s['duration-ms']) : null })),
    events: events.map((e) => e['event-type']!),
  };
}

async function screenshot(name: string, options: { fullPage?: boolean; also?: string } = {}): Promise<void> {
  const image = await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: options.fullPage ?? false });
  if (options.also) {
    mkdirSync(join(options.also, '..'), { recursive: true });
    writeFileSync(options.also, image);
  }
}

/** Polls `check` until it returns a value (not undefined), or fails with what it last saw. */
async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const result = await check().catch((e: unknown) => {
      last = e;
      return undefined;
    });
    if (result !== undefined) return result;
    await new Promise((r) => setTimeout(r, 200));
  }
  await screenshot(`timeout-${what.replace(/\W+/g, '-')}`, { fullPage: true }).catch(() => undefined);
  throw new Error(`the dashboard did not show ${what} within ${timeoutMs} ms${last instanceof Error ? ` (${last.message})` : ''}; status: ${await page.locator('#status').textContent().catch(() => null)}; page errors: ${pageErrors.join(' | ')}; page: ${JSON.stringify(await readPage().catch(() => null))}`);
}

const key = (c: { service: string; region: string }) => `${c.service}/${c.region}`;

interface WarmCover {
  service: string;
  region: string;
  growth: number;
  warm: number;
  cold: number;
}

/** The warm-pool coverage the region cards show, from their data-* attributes: per survivor and service, for each region that could fail. */
async function readWarmCoverage(): Promise<Array<WarmCover & { lost: string }>> {
  const rows = await page.$$eval('[data-warm-coverage]', (elements) =>
    elements.map((e) => ({ service: e.getAttribute('data-service'), region: e.getAttribute('data-region'), lost: e.getAttribute('data-lost'), warm: e.getAttribute('data-warm'), growth: e.getAttribute('data-growth'), cold: e.getAttribute('data-cold') })),
  );
  return rows.map((r) => ({ service: r.service!, region: r.region!, lost: r.lost!, warm: Number(r.warm), growth: Number(r.growth), cold: Number(r.cold) }));
}

const sortCovers = <T extends { service: string; region: string; lost: string }>(covers: T[]) => [...covers].sort((a, b) => `${a.service}/${a.region}/${a.lost}`.localeCompare(`${b.service}/${b.region}/${b.lost}`));

/** POST /v1/operations, accepted: the operation's id. */
async function accepted(body: Record<string, unknown>): Promise<string> {
  const res = await live.api.call('POST', '/v1/operations', { body });
  expect(res.status, res.text).toBe(202);
  return res.body.operation.id as string;
}

/** Waits for an operation to end, and expects it to have succeeded. */
async function finished(id: string): Promise<void> {
  const op = await until(`operation ${id} finished`, 60_000, async () => {
    const { operation } = (await live.api.call('GET', `/v1/operations/${id}`)).body as { operation: { state: string; error?: unknown } };
    return ['queued', 'running'].includes(operation.state) ? undefined : operation;
  });
  expect(op.state, JSON.stringify(op.error)).toBe('succeeded');
}

it(
  'When us-east-1 is evacuated, then the dashboard previews the plan, shows the survivors’ capacity coming in, us-east-1’s share going to zero and the steps',
  async () => {
    // Signing in: the page trades the token for an HttpOnly cookie.
    await page.goto(live.url);
    await page.locator('#login-form').waitFor();
    await page.fill('#token', TEST_TOKENS.viewer.slice(0, -1) + 'X');
    await page.click('#login-form button[type=submit]');
    await expect.poll(() => page.locator('#login-error').textContent(), { timeout: 10_000 }).toMatch(/not valid/);
    // The first read of the operations held back: the fleet shows, and the header says it is loading, not "idle".
    let releaseOperations = () => undefined as void;
    const operationsHeld = new Promise<void>((resolve) => (releaseOperations = resolve));
    await page.route('**/v1/operations?limit=*', async (route) => {
      await operationsHeld;
      await route.continue();
    });
    await page.fill('#token', TEST_TOKENS.admin);
    await page.click('#login-form button[type=submit]');
    await until('the fleet read while the operations are held back', 30_000, async () => ((await page.locator(`[data-region="${SURVIVORS[0]}"] .capacity-bar`).count()) > 0 ? true : undefined));
    expect(await page.locator('#status').textContent()).toBe('loading…');
    // Let them through (the route stays, passing everything on at once from now on).
    releaseOperations();
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toMatch(/^idle · updated /);
    const cookie = (await browser.cookies(live.url)).find((c) => c.name === 'lifeboat_token');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(await page.evaluate('document.cookie')).not.toContain('lifeboat_token');
    await expect.poll(() => page.locator('#identity').textContent()).toContain('admin');
    // The header says what lifeboat reaches (GET /v1/status): every AWS endpoint up, its worker, Redis.
    await expect.poll(() => page.locator('#reach').textContent(), { timeout: 20_000 }).toMatch(/AWS: \d+ endpoints up.*1 worker.*Redis master/);

    // Dark capacity: warm pools prepared through the API (as the CLI and the REPL prepare them) show on every
    // survivor's card, with how much of its growth they would cover if each other region failed; released, they are gone.
    expect(await page.locator('[data-warm-pools]').count()).toBe(0);
    await finished(await accepted({ kind: 'prepare-dark-capacity', reason: 'dashboard browser test' }));
    const report = (await live.api.call('GET', '/v1/readiness?refresh=true')).body.readiness as { regions: Array<{ region: string; warmCoverage?: WarmCover[] }> };
    const expected = report.regions.flatMap((r) => (r.warmCoverage ?? []).map((c) => ({ ...c, lost: r.region })));
    // Sized for the loss of the largest neighbour: whichever region fails, every survivor's growth comes warm.
    expect(expected.length).toBeGreaterThan(0);
    for (const c of expected) expect(c, `${c.service} in ${c.region} if ${c.lost} fails`).toMatchObject({ warm: c.growth, cold: 0 });
    const shown = await until('the warm pools on the survivors’ cards', 45_000, async () => {
      const covers = await readWarmCoverage();
      return covers.length === expected.length ? covers : undefined;
    });
    expect(sortCovers(shown)).toEqual(sortCovers(expected.map(({ service, region, lost, warm, growth, cold }) => ({ service, region, lost, warm, growth, cold }))));
    const line = await page.locator(`[data-region="${SURVIVORS[0]}"] [data-warm-service="api"]`).textContent();
    expect(line).toMatch(/^api warm (\d+) of \1 growth if \S+ fails · (\d+) of \2 if \S+ fails$/);
    await screenshot('00-dark-capacity', { fullPage: true });
    await finished(await accepted({ kind: 'release-dark-capacity', reason: 'dashboard browser test' }));
    await until('no warm pools on the page once released', 45_000, async () => ((await page.locator('[data-warm-pools]').count()) === 0 ? true : undefined));

    const before = await readPage();
    expect(before.traffic.filter((t) => t.region === EVACUATED).every((t) => t.share > 0)).toBe(true);
    const initial = new Map(before.capacity.map((c) => [key(c), c]));
    expect(before.capacity.filter((c) => SURVIVORS.includes(c.region)).length).toBeGreaterThanOrEqual(8);
    await screenshot('01-signed-in');

    // The plan preview: a dry run rendered as tables.
    await page.selectOption('#plan-region', EVACUATED);
    await page.fill('#plan-stages', '30,60,100');
    await page.click('#plan-form button[type=submit]');
    await page.locator('#plan-group-changes tbody tr').first().waitFor({ timeout: 20_000 });
    expect(await page.getAttribute('#plan [data-plan-region]', 'data-plan-region')).toBe(EVACUATED);
    const changed = await page.$$eval('#plan-group-changes tbody tr', (rows) => rows.map((r) => r.getAttribute('data-region')));
    expect(changed.length).toBeGreaterThan(0);
    expect(new Set(changed)).toEqual(new Set(SURVIVORS)); // only survivors are prescaled
    const lastStage = await page.$$eval(`#plan-stages tr[data-stage="3"] td[data-region="${EVACUATED}"]`, (cells) => cells.map((c) => c.getAttribute('data-share')));
    expect(lastStage.length).toBeGreaterThan(0);
    expect(lastStage.every((s) => Number(s) === 0)).toBe(true);
    await screenshot('02-plan-preview', { fullPage: true });

    // The evacuation starts through the API, as another engineer would start it; the page finds it.
    const submitted = await live.api.call('POST', '/v1/operations', { body: { kind: 'evacuate', pace: 'stages', region: EVACUATED, stages: [30, 60, 100], reason: 'dashboard browser test' } });
    expect(submitted.status, submitted.text).toBe(202);
    const operationId = submitted.body.operation.id as string;
    await until('the operation in the list', 10_000, async () => (await readPage()).operations.find((o) => o.id === operationId));

    // While it runs: capacity comes in on the survivors, then traffic moves in stages.
    const survivorsRaised = new Set<string>();
    const survivorsLaunching = new Set<string>();
    let midShot = false;
    let launchingShot = false;
    let sawPartialShare = false;
    /** What the page said mid-evacuation: the region's state, the survivors' readiness badges, the header, the cancel buttons. */
    let mid: { regionState: string | null; survivorBadges: string[]; status: string | null; cancelButtons: number } | undefined;
    const done = await until('us-east-1 at 0% and the operation succeeded', 75_000, async () => {
      const now = await readPage();
      for (const c of now.capacity.filter((x) => SURVIVORS.includes(x.region))) {
        const was = initial.get(key(c))!;
        if (c.desired > was.desired && c.inService < c.desired) survivorsLaunching.add(key(c));
        if (c.inService > was.inService) survivorsRaised.add(key(c));
      }
      const evacuatedShares = now.traffic.filter((t) => t.region === EVACUATED);
      const running = now.operations.find((o) => o.id === operationId)?.state === 'running';
      const partial = evacuatedShares.some((t) => t.share > 0 && t.share < before.traffic.find((b) => b.name === t.name && b.region === EVACUATED)!.share - 1e-6);
      if (partial) sawPartialShare = true;
      if (running && partial && !midShot) {
        midShot = true;
        mid = {
          regionState: await page.locator(`[data-region="${EVACUATED}"] [data-region-state]`).textContent(),
          survivorBadges: await page.$$eval(SURVIVORS.map((r) => `[data-region="${r}"] .badge`).join(', '), (badges) => badges.map((b) => `${b.className}: ${b.textContent}`)),
          status: await page.locator('#status').textContent(),
          cancelButtons: await page.locator('#operation-body [data-action^="cancel"]').count(),
        };
        const update = !existsSync(README_SCREENSHOT) || process.env.LIFEBOAT_UPDATE_SCREENSHOTS === '1';
        await screenshot('03-mid-evacuation', update ? { also: README_SCREENSHOT } : {});
      }
      if (survivorsLaunching.size > 0 && !launchingShot) {
        launchingShot = true;
        await screenshot('03a-capacity-coming-in');
      }
      const finished = now.operations.find((o) => o.id === operationId)?.state === 'succeeded';
      return finished && evacuatedShares.every((t) => t.share === 0) ? now : undefined;
    });
    await screenshot('04-evacuated', { fullPage: true });

    // Capacity: every survivor's target was raised, instances came in (seen launching), and reached it.
    expect(survivorsLaunching.size, 'the page never showed a survivor with instances still launching').toBeGreaterThan(0);
    expect(survivorsRaised.size).toBeGreaterThan(0);
    const after = await until('the survivors at their targets', 15_000, async () => {
      const now = await readPage();
      const survivors = now.capacity.filter((c) => SURVIVORS.includes(c.region));
      return survivors.every((c) => c.inService >= c.desired) ? survivors : undefined;
    });
    for (const c of after) {
      expect(c.desired, key(c)).toBeGreaterThan(initial.get(key(c))!.desired);
      expect(c.inService, key(c)).toBeGreaterThan(initial.get(key(c))!.inService);
    }
    // Traffic: us-east-1 at zero for every name, passing through a partial stage; survivors share the rest.
    expect(sawPartialShare).toBe(true);
    expect(midShot).toBe(true);
    // Mid-evacuation: the region is evacuating with the share it still has, not a red "evacuated"; the survivors
    // carry no red badge; the header says the stage; whoever may cancel sees both buttons.
    expect(mid!.regionState).toMatch(/^evacuating \(\d+ %\)$/);
    expect(Number(/\((\d+) %\)/.exec(mid!.regionState!)![1])).toBeGreaterThan(0);
    expect(mid!.survivorBadges.filter((b) => b.includes('badge-bad'))).toEqual([]);
    expect(mid!.status).toMatch(new RegExp(`^evacuating ${EVACUATED}: stage [1-3] of 3`));
    expect(mid!.cancelButtons).toBe(2);
    await expect.poll(() => page.locator(`[data-region="${EVACUATED}"] [data-region-state]`).textContent(), { timeout: 15_000 }).toBe('evacuated');
    for (const t of done.traffic.filter((x) => x.region === EVACUATED)) expect(t.share, t.name).toBe(0);
    for (const name of new Set(done.traffic.map((t) => t.name))) {
      const total = done.traffic.filter((t) => t.name === name).reduce((a, t) => a + t.share, 0);
      expect(total, name).toBeCloseTo(1, 2);
    }

    // The step timeline: every step with a bar and a duration, waiting for capacity as long as launches take.
    const steps = await until('every step of the timeline succeeded', 10_000, async () => {
      const s = (await readPage()).steps;
      return s.length > 0 && s.every((x) => x.state === 'succeeded') ? s : undefined;
    });
    expect(steps.map((s) => s.id)).toEqual(expect.arrayContaining(['guard', 'prescale', 'await-capacity', 'stage-1/apply-weights', 'stage-3/verify']));
    expect(steps.every((s) => s.durationMs !== null)).toBe(true);
    // Each duration shown is the step's own, as the operation records it (start to finish).
    const recorded = (await live.api.call('GET', `/v1/operations/${operationId}`)).body.operation.steps as Array<{ id: string; startedAt: string; finishedAt: string }>;
    for (const s of steps) {
      const r = recorded.find((x) => x.id === s.id)!;
      expect(s.durationMs, s.id).toBe(Math.round(Date.parse(r.finishedAt) - Date.parse(r.startedAt)));
    }
    expect(await page.locator('.timeline .tl-bar rect').count()).toBe(steps.length);
    // Live events came through the EventSource, to the end.
    const events = (await readPage()).events;
    expect(events).toContain('operation.finished');
    expect(events).toContain('weights.applied');

    // Cancel from the page: a restore started elsewhere, cancelled with the button once the page is asked to confirm.
    const restore = await live.api.call('POST', '/v1/operations', { body: { kind: 'restore', region: EVACUATED, reason: 'dashboard cancel test' } });
    expect(restore.status, restore.text).toBe(202);
    const restoreId = restore.body.operation.id as string;
    const cancelButton = page.locator(`#operation-body [data-action="cancel"]`);
    await until('the restore selected with its cancel button', 20_000, async () => ((await page.locator('#operation-title').textContent())?.startsWith('Restore') && (await cancelButton.count()) === 1 ? true : undefined));
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.accept();
    });
    await cancelButton.click();
    await until('the restore cancelled', 30_000, async () => ((await readPage()).operations.find((o) => o.id === restoreId)?.state === 'cancelled' ? true : undefined));
    expect(asked).toEqual([`Cancel restore ${EVACUATED}? It stops at its next safe point; the traffic stays where it is then.`]);
    const cancelled = await live.api.call('GET', `/v1/operations/${restoreId}`);
    expect(cancelled.body.operation.cancel).toMatchObject({ by: 'api:admin', rollback: false });
    await screenshot('05-restore-cancelled', { fullPage: true });

    // Signing out forgets the cookie.
    await page.click('#logout');
    await page.locator('#login-form').waitFor();
    expect((await browser.cookies(live.url)).find((c) => c.name === 'lifeboat_token')).toBeUndefined();
    expect(pageErrors).toEqual([]);
  },
  180_000,
);
