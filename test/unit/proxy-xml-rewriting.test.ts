import { describe, expect, it } from 'vitest';
import { instanceMembers, rewriteInstanceMembers } from '../../src/sandbox/proxy/auto-scaling-xml';
import type { ScalingActivity } from '../../src/sandbox/proxy/capacity-faults';
import { injectActivities } from '../../src/sandbox/proxy/capacity-faults';
import { getChangeXml, newChangeId, rewriteChangeInfo } from '../../src/sandbox/proxy/dns-propagation';
import { tagText } from '../../src/sandbox/proxy/xml-text';
import { withWarmPoolSizes } from '../../src/sandbox/proxy/warm-pools';

/** Trimmed from moto 5's answers. */
const instance = (id: string, state = 'InService') =>
  `<member><InstanceId>${id}</InstanceId><InstanceType>t3.micro</InstanceType><AvailabilityZone>us-west-2a</AvailabilityZone><LifecycleState>${state}</LifecycleState><HealthStatus>Healthy</HealthStatus><LaunchTemplate><LaunchTemplateId>lt-1</LaunchTemplateId><LaunchTemplateName>lifeboat-demo</LaunchTemplateName><Version>1</Version></LaunchTemplate><ProtectedFromScaleIn>false</ProtectedFromScaleIn></member>`;
const group = (name: string, ids: string[]) =>
  `<member><AutoScalingGroupName>${name}</AutoScalingGroupName><MinSize>1</MinSize><MaxSize>9</MaxSize><DesiredCapacity>${ids.length}</DesiredCapacity><AvailabilityZones><member>us-west-2a</member></AvailabilityZones>` +
  `<Instances>${ids.map((id) => instance(id)).join('')}</Instances><Tags><member><ResourceId>${name}</ResourceId><Key>lifeboat:service</Key><Value>api</Value></member></Tags></member>`;
const describeGroups = (...groups: string[]) =>
  `<DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><DescribeAutoScalingGroupsResult><AutoScalingGroups>${groups.join('')}</AutoScalingGroups></DescribeAutoScalingGroupsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeAutoScalingGroupsResponse>`;

describe('proxy XML rewriting: Auto Scaling instance lists', () => {
  const xml = describeGroups(group('api', ['i-1', 'i-2', 'i-3']), group('web', ['i-4']));

  it('reads every instance of every group, and nothing from tags or zones', () => {
    expect(instanceMembers(xml, 'Instances')).toEqual(
      ['i-1', 'i-2', 'i-3', 'i-4'].map((instanceId) => ({ instanceId, availabilityZone: 'us-west-2a', instanceType: 't3.micro', lifecycleState: 'InService' })),
    );
  });

  it('shows launching instances as Pending and hides missing ones, leaving the rest of the document as it was', () => {
    const out = rewriteInstanceMembers(xml, 'Instances', (m) => (m.instanceId === 'i-2' ? { lifecycleState: 'Pending' } : m.instanceId === 'i-3' ? { hidden: true } : undefined));
    expect(instanceMembers(out, 'Instances').map((m) => [m.instanceId, m.lifecycleState])).toEqual([
      ['i-1', 'InService'],
      ['i-2', 'Pending'],
      ['i-4', 'InService'],
    ]);
    expect(out.replace(instance('i-2', 'Pending'), instance('i-2')).replace('</member></Instances>', `</member>${instance('i-3')}</Instances>`)).toBe(xml);
    expect(out).toContain('<DesiredCapacity>3</DesiredCapacity>');
  });

  it('writes an emptied instance list as <Instances/>', () => {
    const out = rewriteInstanceMembers(describeGroups(group('web', ['i-4'])), 'Instances', () => ({ hidden: true }));
    expect(out).toContain('<Instances/>');
    expect(instanceMembers(out, 'Instances')).toEqual([]);
  });

  it('rewrites DescribeAutoScalingInstances the same way, reading each instance’s group', () => {
    const xml2 = `<DescribeAutoScalingInstancesResponse><DescribeAutoScalingInstancesResult><AutoScalingInstances>${instance('i-7').replace('<InstanceType>', '<AutoScalingGroupName>api</AutoScalingGroupName><InstanceType>')}${instance('i-8')}</AutoScalingInstances></DescribeAutoScalingInstancesResult></DescribeAutoScalingInstancesResponse>`;
    const out = rewriteInstanceMembers(xml2, 'AutoScalingInstances', (m) => (m.instanceId === 'i-7' ? { lifecycleState: 'Pending' } : { hidden: true }));
    expect(instanceMembers(out, 'AutoScalingInstances')).toEqual([{ instanceId: 'i-7', availabilityZone: 'us-west-2a', instanceType: 't3.micro', lifecycleState: 'Pending', groupName: 'api' }]);
  });
});

describe('proxy XML rewriting: warm pool sizes in DescribeAutoScalingGroups', () => {
  const pooled = (name: string, ids: string[]) =>
    group(name, ids).replace('</Tags>', '</Tags><WarmPoolConfiguration><MaxGroupPreparedCapacity>-1</MaxGroupPreparedCapacity><MinSize>2</MinSize><PoolState>Stopped</PoolState></WarmPoolConfiguration>');

  it('states WarmPoolSize for each group with a pool, as AWS does, from that group’s own part of the answer', () => {
    const xml = describeGroups(pooled('api', ['i-1', 'i-2']), group('web', ['i-4']), pooled('db', ['i-5']));
    const asked: string[] = [];
    const out = withWarmPoolSizes(xml, (name, part) => {
      asked.push(name);
      // The part is the group's own: its DesiredCapacity, not another group's.
      return name === 'api' ? Number(tagText(part, 'DesiredCapacity')) + 5 : 3;
    });
    expect(asked).toEqual(['api', 'db']);
    expect([...out.matchAll(/<WarmPoolSize>(\d+)<\/WarmPoolSize>/g)].map((m) => m[1])).toEqual(['7', '3']);
    // Nothing else changes: take the sizes out again and it is the answer moto gave.
    expect(out.replace(/<WarmPoolSize>\d+<\/WarmPoolSize>/g, '')).toBe(xml);
  });

  it('leaves an answer without warm pools, or one that states their size already, as it is', () => {
    const plain = describeGroups(group('web', ['i-4']));
    expect(withWarmPoolSizes(plain, () => 9)).toBe(plain);
    const stated = describeGroups(pooled('api', ['i-1']).replace('</WarmPoolConfiguration>', '</WarmPoolConfiguration><WarmPoolSize>4</WarmPoolSize>'));
    expect(withWarmPoolSizes(stated, () => 9)).toBe(stated);
  });
});

describe('proxy XML rewriting: scaling activities', () => {
  const activity: ScalingActivity = {
    activityId: 'a-1',
    group: 'api',
    description: 'Launching a new EC2 instance.  Status Reason: no <capacity> & more',
    cause: 'At 2026-11-24T00:00:00.000Z ...',
    startTime: Date.parse('2026-11-24T00:00:00Z'),
    endTime: Date.parse('2026-11-24T00:00:01Z'),
    statusMessage: 'Error Code: InsufficientInstanceCapacity',
    details: '{"Availability Zone":"us-west-2a"}',
  };

  it('puts failed activities into an empty list and ahead of moto’s own, escaped', () => {
    const empty = '<DescribeScalingActivitiesResponse><DescribeScalingActivitiesResult><Activities/></DescribeScalingActivitiesResult></DescribeScalingActivitiesResponse>';
    const out = injectActivities(empty, [activity]);
    expect(out).toContain('<Activities><member><ActivityId>a-1</ActivityId>');
    expect(out).toContain('<StatusCode>Failed</StatusCode>');
    expect(out).toContain('<StartTime>2026-11-24T00:00:00.000Z</StartTime><EndTime>2026-11-24T00:00:01.000Z</EndTime>');
    expect(tagText(out, 'Description')).toBe(activity.description);
    expect(out).toContain('no &lt;capacity&gt; &amp; more');

    const withOwn = empty.replace('<Activities/>', '<Activities><member><ActivityId>moto</ActivityId></member></Activities>');
    expect(injectActivities(withOwn, [activity]).indexOf('a-1')).toBeLessThan(injectActivities(withOwn, [activity]).indexOf('moto'));
    expect(injectActivities(withOwn, [])).toBe(withOwn);
  });
});

describe('proxy XML rewriting: Route 53 changes', () => {
  const moto =
    '<?xml version="1.0" encoding="utf-8"?>\n<ChangeResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeInfo><Id>/change/C2682N5HXP0BZ4</Id><Status>INSYNC</Status><SubmittedAt>2026-11-24T22:46:22.040455Z</SubmittedAt></ChangeInfo></ChangeResourceRecordSetsResponse>';
  const submittedAt = Date.parse('2026-11-24T10:00:00Z');
  const change = { id: 'C0001ABCDEFGHIJ', submittedAt, insyncAt: submittedAt + 30_000, comment: 'lifeboat: set weights' };

  it('replaces moto’s fixed change id and INSYNC with the proxy’s own id, status and time', () => {
    const out = rewriteChangeInfo(moto, change, 'PENDING');
    expect(out).toContain(
      '<ChangeInfo><Id>/change/C0001ABCDEFGHIJ</Id><Status>PENDING</Status><SubmittedAt>2026-11-24T10:00:00.000Z</SubmittedAt><Comment>lifeboat: set weights</Comment></ChangeInfo>',
    );
    expect(out.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<ChangeResourceRecordSetsResponse')).toBe(true);
  });

  it('answers GetChange in Route 53’s XML', () => {
    expect(getChangeXml(change, 'INSYNC')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<GetChangeResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeInfo><Id>/change/C0001ABCDEFGHIJ</Id><Status>INSYNC</Status><SubmittedAt>2026-11-24T10:00:00.000Z</SubmittedAt><Comment>lifeboat: set weights</Comment></ChangeInfo></GetChangeResponse>',
    );
  });

  it('makes change ids that are distinct, upper case and shaped like Route 53’s', () => {
    const ids = Array.from({ length: 500 }, (_, i) => newChangeId(i + 1));
    expect(new Set(ids).size).toBe(500);
    for (const id of ids) expect(id).toMatch(/^C[0-9A-Z]{14}$/);
  });
});
