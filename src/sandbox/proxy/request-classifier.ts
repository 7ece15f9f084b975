import type { IncomingHttpHeaders } from 'node:http';
import type { ProxyService } from './proxy-profile';
import { PROXY_SERVICES } from './proxy-profile';

/**
 * Which AWS call a request is: the service and region from the SigV4 credential scope
 * (`Credential=AKID/20261124/us-west-2/autoscaling/aws4_request`), the action from the
 * Query protocol's `Action` parameter (Auto Scaling, EC2) or from Route 53's REST path.
 */

export interface ClassifiedCall {
  /** autoscaling, ec2, route53, another signing name, or 'unknown'. */
  service: string;
  /** The signing region, or 'unknown'. */
  region: string;
  /** The API action, e.g. DescribeAutoScalingGroups, or 'Unknown'. */
  action: string;
  /** Query-protocol parameters (form body and query string). */
  params: URLSearchParams;
  /** Route 53: the hosted zone or change id named in the path. */
  resourceId?: string;
}

const ROUTE53_API_PREFIX = '/2013-04-01';

const SCOPE = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

export function isProxyService(service: string): service is ProxyService {
  return (PROXY_SERVICES as readonly string[]).includes(service);
}

/** Region and service of a signed request: the Authorization header, or X-Amz-Credential in a presigned URL. */
function credentialScope(headers: IncomingHttpHeaders, query: URLSearchParams): { region: string; service: string } | undefined {
  const auth = headers.authorization;
  const match = (typeof auth === 'string' ? SCOPE.exec(auth) : null) ?? SCOPE.exec(`Credential=${query.get('X-Amz-Credential') ?? ''}`);
  return match ? { region: match[1]!, service: match[2]! } : undefined;
}

function route53Action(method: string, segments: string[]): { action: string; resourceId?: string } {
  const [first, second, third, fourth] = segments;
  const n = segments.length;
  const get = method === 'GET';
  const post = method === 'POST';
  if (first === 'hostedzone') {
    if (n === 1) return { action: get ? 'ListHostedZones' : post ? 'CreateHostedZone' : 'Unknown' };
    if (n === 2) {
      const action = get ? 'GetHostedZone' : method === 'DELETE' ? 'DeleteHostedZone' : post ? 'UpdateHostedZoneComment' : 'Unknown';
      return { action, resourceId: second! };
    }
    if (n === 3 && third === 'rrset') return { action: get ? 'ListResourceRecordSets' : post ? 'ChangeResourceRecordSets' : 'Unknown', resourceId: second! };
  }
  if (first === 'change' && n === 2 && get) return { action: 'GetChange', resourceId: second! };
  if (first === 'tags') {
    if (n === 2 && post) return { action: 'ListTagsForResources' };
    if (n === 3) return { action: get ? 'ListTagsForResource' : post ? 'ChangeTagsForResource' : 'Unknown', resourceId: third! };
  }
  if (first === 'hostedzonecount' && n === 1) return { action: 'GetHostedZoneCount' };
  if (first === 'hostedzonesbyname' && n === 1) return { action: 'ListHostedZonesByName' };
  if (first === 'healthcheck' && fourth === undefined) return { action: 'HealthCheck' };
  return { action: 'Unknown' };
}

/** Path segments after /2013-04-01, decoded, without empty ones (the SDK may add a trailing slash). */
function route53Segments(pathname: string): string[] | undefined {
  if (pathname !== ROUTE53_API_PREFIX && !pathname.startsWith(`${ROUTE53_API_PREFIX}/`)) return undefined;
  return pathname
    .slice(ROUTE53_API_PREFIX.length)
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

export function classifyRequest(method: string, url: string, headers: IncomingHttpHeaders, body: string): ClassifiedCall {
  const parsed = new URL(url, 'http://proxy.invalid');
  const scope = credentialScope(headers, parsed.searchParams);
  const segments = route53Segments(parsed.pathname);
  const service = scope?.service ?? (segments ? 'route53' : 'unknown');
  const region = scope?.region ?? 'unknown';

  if (service === 'route53' && segments) {
    return { service, region, params: parsed.searchParams, ...route53Action(method.toUpperCase(), segments) };
  }
  const params = new URLSearchParams(parsed.searchParams);
  const contentType = String(headers['content-type'] ?? '');
  if (body !== '' && (contentType === '' || contentType.includes('x-www-form-urlencoded'))) {
    for (const [k, v] of new URLSearchParams(body)) params.append(k, v);
  }
  const target = headers['x-amz-target'];
  const action = params.get('Action') ?? (typeof target === 'string' ? target.split('.').pop() : undefined) ?? 'Unknown';
  return { service, region, action, params };
}

/** EC2 actions that only read count against the non-mutating bucket; all others against the mutating one. */
export function isNonMutatingEc2Action(action: string): boolean {
  return /^(Describe|Get|List|Search)/.test(action);
}
