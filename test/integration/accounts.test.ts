import { ChangeResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAccounts } from '../../src/app/loaders/load-accounts';
import { AwsCloud } from '../../src/cloud/aws/aws-cloud';
import { LifeboatError } from '../../src/core/errors';
import { takeSnapshot } from '../../src/operations/fleet-snapshot';
import type { MotoServer } from '../../src/sandbox/moto/moto-server';
import { startMotoServer } from '../../src/sandbox/moto/moto-server';
import { seedFleet } from '../../src/sandbox/fleet/seed-fleet';
import { submit } from '../support/fault-scenarios';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import { DUMMY_CREDENTIALS } from '../support/moto-fleet';

/**
 * One fleet across two AWS accounts, for real: moto serves STS AssumeRole into another
 * account id, and what is created with that role's credentials lives in that account. The
 * DNS zone and us-east-1's group are in lifeboat's own account (123456789012, moto's
 * default); the survivors' groups are in 222222222222, reached through a role there.
 */

const HOME = '123456789012';
const OTHER = '222222222222';
const ROLE = `arn:aws:iam::${OTHER}:role/lifeboat`;
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const API = 'api.example.com';

let moto: MotoServer;
let lb: TestLifeboat | undefined;
let cloud: AwsCloud;

beforeAll(async () => {
  moto = await startMotoServer();
  const endpoint = moto.endpoint;
  const home = await seedFleet({ regions: ['us-east-1'], services: [{ name: 'api', dns: API, regions: { 'us-east-1': { desired: 6, min: 2, max: 20, weight: 100 } } }] }, { endpoint, credentials: DUMMY_CREDENTIALS });
  const role = fromTemporaryCredentials({ params: { RoleArn: ROLE, RoleSessionName: 'seed' }, masterCredentials: DUMMY_CREDENTIALS, clientConfig: { region: 'us-east-1', endpoint } });
  // The survivors' groups in the other account (no records there: the name's records are in the home zone).
  await seedFleet(
    { regions: ['us-west-2', 'eu-west-1'], zoneName: 'other.example.com', services: [{ name: 'api', dns: API, regions: { 'us-west-2': { desired: 6, min: 2, max: 20 }, 'eu-west-1': { desired: 6, min: 2, max: 20 } } }] },
    { endpoint, credentials: role },
  );
  const route53 = new Route53Client({ region: 'us-east-1', endpoint, credentials: DUMMY_CREDENTIALS });
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: home.zoneId,
      ChangeBatch: {
        Changes: ['us-west-2', 'eu-west-1'].map((region, i) => ({
          Action: 'UPSERT' as const,
          ResourceRecordSet: { Name: API, Type: 'A' as const, SetIdentifier: region, Weight: 100, TTL: 60, ResourceRecords: [{ Value: `192.0.2.${20 + i}` }] },
        })),
      },
    }),
  );
  route53.destroy();
  cloud = new AwsCloud({ regions: REGIONS, endpoint, credentials: DUMMY_CREDENTIALS, maxAttempts: 3, accounts: loadAccounts(`${HOME},${OTHER}=${ROLE}`, undefined) });
}, 60_000);

afterAll(async () => {
  await lb?.close();
  cloud?.destroy();
  await moto?.stop();
});

describe('several AWS accounts', () => {
  it('reads groups and zones in every listed account, naming the account of each', async () => {
    const snapshot = await takeSnapshot(cloud);
    expect(snapshot.groups.map((g) => [g.account, g.region, g.name])).toEqual([
      [HOME, 'us-east-1', 'api-us-east-1'],
      [OTHER, 'us-west-2', 'api-us-west-2'],
      [OTHER, 'eu-west-1', 'api-eu-west-1'],
    ]);
    expect(new Set(snapshot.records.filter((r) => r.name === API).map((r) => r.account))).toEqual(new Set([HOME]));
    // Every region's share of the name is read from the home account's zone (whatever an evacuation
    // in another test left them at: the tests run in a shuffled order).
    const shares = snapshot.traffic.filter((t) => t.name === API);
    expect(shares.map((t) => t.region)).toEqual(['us-east-1', 'us-west-2', 'eu-west-1']);
    expect(shares.reduce((a, t) => a + t.share, 0)).toBeCloseTo(1, 9);
  });

  it('evacuates a region across two accounts: prescales the survivors in the other account, shifts the weights in its own, and audits the account of each', async () => {
    lb = testLifeboat(cloud);
    lb.startWorker();
    const id = await submit(lb, { kind: 'evacuate', pace: 'stages', region: 'us-east-1', stages: 1 });
    const done = await lb.waitFor(id, undefined, 30_000);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    expect(done.plan!.groupChanges.map((c) => [c.account, c.group])).toEqual([
      [OTHER, 'api-us-west-2'],
      [OTHER, 'api-eu-west-1'],
    ]);
    const after = await takeSnapshot(cloud);
    for (const region of ['us-west-2', 'eu-west-1']) {
      const g = after.groups.find((x) => x.region === region)!;
      expect(g.account).toBe(OTHER);
      expect(g.minSize).toBe(g.desiredCapacity);
      expect(g.desiredCapacity).toBeGreaterThan(6);
    }
    expect(after.traffic.find((t) => t.name === API && t.region === 'us-east-1')!.weight).toBe(0);
    const audit = await lb.deps.audit.query({ operationId: id });
    const resized = audit.filter((a) => a.action === 'aws.setGroupSize' && a.outcome === 'succeeded');
    expect(resized.map((a) => (a.inputs as { account?: string }).account)).toEqual([OTHER, OTHER]);
  });

  it('refuses an account list that does not parse, naming the entry', () => {
    expect(() => loadAccounts('22222222222=arn:aws:iam::22222222222:role/x', undefined)).toThrow(LifeboatError);
    expect(() => loadAccounts(`${OTHER}=arn:aws:iam::${HOME}:role/lifeboat`, undefined)).toThrow(/the role must be in the account/);
  });
});
