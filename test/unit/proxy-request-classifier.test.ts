import { describe, expect, it } from 'vitest';
import { classifyRequest, isNonMutatingEc2Action } from '../../src/sandbox/proxy/request-classifier';

const signed = (region: string, service: string) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=AKID/20261124/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`,
});
const form = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

describe('proxy request classifier', () => {
  it('reads service and region from the SigV4 credential scope and the action from a Query-protocol form body', () => {
    const call = classifyRequest('POST', '/', { ...signed('us-west-2', 'autoscaling'), ...form }, 'Action=UpdateAutoScalingGroup&Version=2011-01-01&AutoScalingGroupName=api&DesiredCapacity=9');
    expect([call.service, call.region, call.action]).toEqual(['autoscaling', 'us-west-2', 'UpdateAutoScalingGroup']);
    expect(call.params.get('AutoScalingGroupName')).toBe('api');
    expect(call.params.get('DesiredCapacity')).toBe('9');
  });

  it('classifies EC2 Query calls, and the action from a query string or a presigned credential', () => {
    expect(classifyRequest('POST', '/', { ...signed('eu-west-1', 'ec2'), ...form }, 'Action=DescribeInstances&Version=2016-11-15').action).toBe('DescribeInstances');
    const presigned = classifyRequest('GET', '/?Action=DescribeRegions&X-Amz-Credential=AKID%2F20261124%2Fap-south-1%2Fec2%2Faws4_request', {}, '');
    expect([presigned.service, presigned.region, presigned.action]).toEqual(['ec2', 'ap-south-1', 'DescribeRegions']);
  });

  it.each([
    ['GET', '/2013-04-01/hostedzone', 'ListHostedZones', undefined],
    ['POST', '/2013-04-01/hostedzone', 'CreateHostedZone', undefined],
    ['GET', '/2013-04-01/hostedzone/Z123', 'GetHostedZone', 'Z123'],
    ['POST', '/2013-04-01/hostedzone/Z123/rrset', 'ChangeResourceRecordSets', 'Z123'],
    ['POST', '/2013-04-01/hostedzone/Z123/rrset/', 'ChangeResourceRecordSets', 'Z123'],
    ['GET', '/2013-04-01/hostedzone/Z123/rrset?maxitems=4&name=api.example.com', 'ListResourceRecordSets', 'Z123'],
    ['GET', '/2013-04-01/change/C2682N5HXP0BZ4', 'GetChange', 'C2682N5HXP0BZ4'],
    ['POST', '/2013-04-01/tags/hostedzone', 'ListTagsForResources', undefined],
    ['POST', '/2013-04-01/tags/hostedzone/Z123', 'ChangeTagsForResource', 'Z123'],
    ['GET', '/2013-04-01/tags/hostedzone/Z123', 'ListTagsForResource', 'Z123'],
    ['GET', '/2013-04-01/hostedzonecount', 'GetHostedZoneCount', undefined],
    ['GET', '/2013-04-01/hostedzonesbyname?dnsname=example.com.', 'ListHostedZonesByName', undefined],
  ])('names Route 53 %s %s as %s', (method, url, action, resourceId) => {
    const call = classifyRequest(method, url, { ...signed('us-east-1', 'route53'), 'content-type': 'application/xml' }, method === 'POST' ? '<x/>' : '');
    expect([call.service, call.region, call.action, call.resourceId]).toEqual(['route53', 'us-east-1', action, resourceId]);
  });

  it('recognizes Route 53 by its path when a request is unsigned, and says unknown for anything else', () => {
    expect(classifyRequest('GET', '/2013-04-01/hostedzone', {}, '')).toMatchObject({ service: 'route53', region: 'unknown', action: 'ListHostedZones' });
    expect(classifyRequest('POST', '/', {}, 'nothing')).toMatchObject({ service: 'unknown', region: 'unknown', action: 'Unknown' });
  });

  it('counts Describe, Get, List and Search EC2 actions as non-mutating, everything else as mutating', () => {
    expect(['DescribeInstances', 'GetConsoleOutput', 'ListImagesInRecycleBin', 'SearchTransitGatewayRoutes'].every(isNonMutatingEc2Action)).toBe(true);
    expect(['RunInstances', 'CreateTags', 'TerminateInstances'].some(isNonMutatingEc2Action)).toBe(false);
  });
});
