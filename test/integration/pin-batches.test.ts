import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CloudPort, GroupSizeUpdate } from '../../src/cloud/ports';
import { TAGS_PER_REQUEST } from '../../src/cloud/aws/aws-auto-scaling';
import { pinOf } from '../../src/core/pins';
import type { DemoFleetSpec } from '../../src/sandbox/fleet/seed-fleet';
import { figures, stepOf, submit } from '../support/fault-scenarios';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import type { ProxiedFleet } from '../support/proxied-fleet';
import { startProxiedFleet } from '../support/proxied-fleet';

/**
 * The pins of a prescale are written in batches (CreateOrUpdateTags names a group in each
 * tag), all of them before any group is resized: against moto, through the fault proxy.
 */

/** One service whose survivors have 19 groups each (4 instances a group, so each grows): more than two requests' worth of pins. */
const GROUPS_PER_REGION = 19;
const SPEC: DemoFleetSpec = {
  regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
  services: [
    {
      name: 'web',
      dns: 'www.example.com',
      regions: Object.fromEntries(['us-east-1', 'us-west-2', 'eu-west-1'].map((r) => [r, { desired: 4 * GROUPS_PER_REGION, min: GROUPS_PER_REGION, max: 20 * GROUPS_PER_REGION, weight: 100, groups: GROUPS_PER_REGION }])),
    },
  ],
};
/** A pin is three tags (pinned-by, pinned-from, weights-before: a move's pin records the weights). */
const TAGS_PER_PIN = 3;

let pf: ProxiedFleet;
let lb: TestLifeboat | undefined;

beforeAll(async () => {
  pf = await startProxiedFleet(SPEC);
}, 120_000);

afterEach(async () => {
  await lb?.close();
  lb = undefined;
});

afterAll(async () => {
  await pf?.stop();
});

describe('the prescale pins in batches', () => {
  it('writes the pins of N groups of a region in ceil(N / pins a request) CreateOrUpdateTags, every pin before any resize', async () => {
    const cloud = pf.cloud();
    const reader = pf.fleet.cloud();
    // What moto holds, read at each resize: the group must carry its pin already.
    const unpinnedAtResize: string[] = [];
    let resizes = 0;
    const names = (region: string) => Array.from({ length: GROUPS_PER_REGION }, (_, k) => `web-${region}-${k + 1}`);
    const before = new Map((await reader.readGroups('us-west-2', names('us-west-2'), undefined, { sizesOnly: true })).map((g) => [g.name, g]));
    expect(before.size).toBe(GROUPS_PER_REGION);
    lb = testLifeboat({
      ...(bind(cloud) as CloudPort),
      async setGroupSize(u: GroupSizeUpdate) {
        const [g] = await reader.readGroups(u.region, [u.group], u.account, { sizesOnly: true });
        if (!g || !pinOf(g.tags)) unpinnedAtResize.push(`${u.region}/${u.group}`);
        resizes += 1;
        return cloud.setGroupSize(u);
      },
    });
    const id = await submit(lb, { kind: 'evacuate', pace: 'stages', region: 'us-east-1', stages: 1, dwellSeconds: 0 });
    pf.proxy.resetCounters();
    lb.startWorker();
    const done = await lb.waitFor(id, undefined, 90_000);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');

    const pinsPerRequest = Math.floor(TAGS_PER_REQUEST / TAGS_PER_PIN);
    const changed = done.plan!.groupChanges;
    expect(changed.length).toBe(2 * GROUPS_PER_REGION);
    for (const region of ['us-west-2', 'eu-west-1']) {
      const n = changed.filter((c) => c.region === region).length;
      expect(n).toBe(GROUPS_PER_REGION);
      expect(pf.counted({ region, action: 'CreateOrUpdateTags', outcome: 'ok' }), region).toBe(Math.ceil(n / pinsPerRequest));
      expect(pf.counted({ region, action: 'UpdateAutoScalingGroup', outcome: 'ok' }), region).toBe(n);
    }
    expect(resizes).toBe(changed.length);
    expect(unpinnedAtResize).toEqual([]);
    // Each pin is the whole record: the operation, the sizes before, the weights before.
    const after = await reader.readGroups('us-west-2', changed.filter((c) => c.region === 'us-west-2').map((c) => c.group), undefined, { sizesOnly: true });
    for (const g of after) {
      const was = before.get(g.name)!;
      expect(pinOf(g.tags)).toEqual({
        operationId: id,
        from: { minSize: was.minSize, desiredCapacity: was.desiredCapacity, maxSize: was.maxSize },
        weightsBefore: { 'us-east-1': 100, 'us-west-2': 100, 'eu-west-1': 100 },
      });
    }
    figures('pins in batches', { groups: changed.length, tagRequests: pf.counted({ action: 'CreateOrUpdateTags', outcome: 'ok' }), prescaleAttempts: stepOf(done, 'prescale').attempts });

    // A restore lets go: the records come off in batches too, after the resizes.
    pf.proxy.resetCounters();
    const restore = await submit(lb, { kind: 'restore', region: 'us-east-1', stages: 1, dwellSeconds: 0 });
    const restored = await lb.waitFor(restore, undefined, 90_000);
    expect(restored.state, JSON.stringify(restored.error)).toBe('succeeded');
    for (const region of ['us-west-2', 'eu-west-1']) {
      expect(pf.counted({ region, action: 'DeleteTags', outcome: 'ok' }), region).toBe(Math.ceil(GROUPS_PER_REGION / pinsPerRequest));
      const groups = await reader.readGroups(region, changed.filter((c) => c.region === region).map((c) => c.group), undefined, { sizesOnly: true });
      for (const g of groups) expect(pinOf(g.tags), g.name).toBeUndefined();
    }
  }, 240_000);
});

/** The adapter's methods bound to it, so a test can replace one and keep the others. */
function bind<T extends object>(target: T): T {
  const out: Record<string, unknown> = {};
  let proto: object | null = target;
  while (proto && proto !== Object.prototype) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const v = (target as Record<string, unknown>)[key];
      if (key !== 'constructor' && typeof v === 'function' && !(key in out)) out[key] = (v as (...a: unknown[]) => unknown).bind(target);
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return out as T;
}
