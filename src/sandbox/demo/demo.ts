import './demo-env';
import type { FleetSnapshot } from '../../core/fleet';
import { CleanupStack } from './demo-cleanup';
import { LifeboatClient } from './demo-client';
import { describeFailure } from './demo-failure';
import { startDemoLifeboat } from './demo-lifeboat';
import { comparisonTable, regionTotals } from './demo-printing';
import { provideRedis } from './demo-redis';
import { submitAndWatch } from './demo-watch';
import { startAwsProxy } from '../proxy/aws-proxy';
import { startMotoServer } from '../moto/moto-server';
import { DEMO_FLEET, seedFleet } from '../fleet/seed-fleet';
import { fleetTable } from '../../text/fleet-text';
import { MARKS } from '../../text/marks';
import { percent } from '../../text/units';

/**
 * npm run demo: lifeboat evacuates us-east-1 from a demo fleet in moto and restores it,
 * driven through its HTTP API the way a demand engineer would. Needs python3 with moto and
 * either a Redis at REDIS_URL (default redis://127.0.0.1:6379) or redis-server on PATH.
 */

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'lifeboat-demo', secretAccessKey: 'lifeboat-demo' };

const say = (line = ''): void => void process.stdout.write(`${line}\n`);
let section = 0;
const heading = (title: string): void => say(`\n${++section}. ${title}\n`);

const cleanup = new CleanupStack();
const interrupt = new AbortController();

async function demo(): Promise<void> {
  heading('Start moto (AWS), Redis and lifeboat');
  const moto = await cleanup.track('stop moto', startMotoServer(), (m) => m.stop());
  say(`  moto:     ${moto.endpoint}`);
  // AWS's timing in front of moto: instances take a few seconds, DNS changes a couple, quotas apply.
  const aws = await cleanup.track('stop the AWS proxy', startAwsProxy({ target: moto.endpoint, profile: process.env.LIFEBOAT_DEMO_PROFILE ?? 'demo' }), (p) => p.stop());
  const profile = aws.profile();
  say(`  AWS:      ${aws.endpoint} (proxy in front of moto, profile ${profile.name}: launch ${profile.launch.launchSeconds + profile.launch.warmupSeconds} s, DNS ${profile.dns.propagationSeconds} s)`);
  const redis = await cleanup.track('stop Redis', provideRedis(process.env.REDIS_URL || 'redis://127.0.0.1:6379'), async (r) => {
    await r.stop();
    return r.stopped;
  });
  say(`  Redis:    ${redis.description}`);
  const seeded = await seedFleet(DEMO_FLEET, { endpoint: moto.endpoint, credentials: CREDENTIALS });
  say(`  fleet:    ${seeded.groups.length} Auto Scaling groups, ${seeded.records.length} weighted records in ${seeded.zoneName}, ${DEMO_FLEET.regions.length} regions`);
  const { url: apiUrl, token } = await startDemoLifeboat(
    { regions: DEMO_FLEET.regions, awsEndpoint: aws.endpoint, credentials: CREDENTIALS, redisUrl: redis.url, redisPrefix: redis.prefix },
    cleanup,
  );
  say(`  lifeboat: API at ${apiUrl}, one worker`);
  say(`  token:    ${token}  (made for this demo, admin role; lifeboat keeps only its hash)`);
  say(`            curl -H 'Authorization: Bearer ${token}' ${apiUrl}/v1/operations`);
  const api = new LifeboatClient(apiUrl, token);

  heading('The fleet before (GET /v1/fleet)');
  const before = await fleetSnapshot(api);
  say(fleetTable(before));

  heading(`The plan to evacuate ${REGION} (POST /v1/plans)`);
  say(indent((await api.planText({ kind: 'evacuate', region: REGION })).trimEnd()));

  heading(`Evacuate ${REGION} (POST /v1/operations)`);
  await submitAndWatch(api, { kind: 'evacuate', region: REGION, reason: 'lifeboat demo' }, say, { signal: interrupt.signal });

  heading('The fleet after the evacuation');
  const evacuated = await fleetSnapshot(api);
  say(fleetTable(evacuated));
  say();
  say(comparisonTable(before, evacuated));
  say();
  for (const line of regionTotals(before, evacuated)) say(`  ${line}`);

  heading(`Restore ${REGION} (POST /v1/operations)`);
  await submitAndWatch(api, { kind: 'restore', region: REGION, reason: 'lifeboat demo' }, say, { signal: interrupt.signal });

  heading('The fleet restored');
  const restored = await fleetSnapshot(api);
  say(fleetTable(restored));
  say();
  say('  Compared with before the evacuation:');
  for (const line of regionTotals(before, restored)) say(`    ${line}`);
  say();
  say(`  ${sharesComparedWith(before, restored)}`);
  say('  The survivors keep their extra instances, back under their own scaling (MinSize as before);');
  say('  a restore with "scaleDownSurvivors": true would return them to their old sizes at once.');
}

async function fleetSnapshot(api: LifeboatClient): Promise<FleetSnapshot> {
  return (await api.fleet()).snapshot;
}

/** Whether every traffic share is back where it started. */
function sharesComparedWith(before: FleetSnapshot, after: FleetSnapshot): string {
  const moved = after.traffic.filter((t) => {
    const was = before.traffic.find((b) => b.name === t.name && b.region === t.region);
    return !was || Math.abs(was.share - t.share) > 0.0005;
  });
  if (moved.length === 0) return 'Every traffic share is back where it was before the evacuation.';
  return `Traffic shares differ from before: ${moved.map((t) => `${t.name} ${t.region} ${percent(t.share)}`).join(', ')}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l ? `  ${l}` : l))
    .join('\n');
}

let stopping = false;

/** Stop everything the demo started, say what was stopped (and what could not be), and exit. */
async function finish(code: number, failure?: string): Promise<never> {
  if (!stopping) {
    stopping = true;
    heading('Clean up');
    const { done, problems } = await cleanup.runAll();
    for (const line of done) say(`  ${MARKS.succeeded} ${line}`);
    for (const line of problems) say(`  ${MARKS.failed} ${line}`);
    if (done.length + problems.length === 0) say('  nothing had started');
    if (failure) process.stderr.write(`\ndemo failed: ${failure}\n`);
    // A demo that cannot clean up after itself has not fully worked.
    if (problems.length > 0 && code === 0) code = 1;
  }
  process.exit(code);
}

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(EXIT_CODES[signal]);
    say(`\n${signal}: stopping the demo and cleaning up (again to quit at once)…`);
    interrupt.abort();
    void finish(EXIT_CODES[signal]);
  });
}

demo().then(
  () => finish(0),
  (e: unknown) => (stopping ? undefined : finish(1, describeFailure(e))),
);
