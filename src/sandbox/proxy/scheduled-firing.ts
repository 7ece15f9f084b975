import type { Upstream } from './upstream';
import { tagText } from './xml-text';

/**
 * moto keeps scheduled actions but never fires them. The proxy fires them on demand (the
 * admin endpoint, a test): each matching action sets its group's sizes as AWS would at its
 * time, unless the group has the ScheduledActions process suspended, as AWS would skip it.
 */

export interface FireRequest {
  region: string;
  /** Only this group's actions; all groups' by default. */
  group?: string;
  /** Only the action of this name. */
  action?: string;
  /** The account's access key as moto knows it (another account's assumed-role key); moto's default account otherwise. */
  accessKeyId?: string;
}

export interface FireOutcome {
  fired: Array<{ group: string; action: string; sizes: Record<string, number> }>;
  skipped: Array<{ group: string; action: string; reason: string }>;
}

const MEMBER = /<member>([\s\S]*?)<\/member>/g;

function call(upstream: Upstream, request: FireRequest, params: Record<string, string>) {
  const key = request.accessKeyId ?? 'testing';
  return upstream.fetch({
    method: 'POST',
    url: '/',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization: `AWS4-HMAC-SHA256 Credential=${key}/20260101/${request.region}/autoscaling/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: Buffer.from(new URLSearchParams({ Version: '2011-01-01', ...params }).toString()),
  });
}

async function suspendedScheduledActions(upstream: Upstream, request: FireRequest, group: string): Promise<boolean> {
  const answer = await call(upstream, request, { Action: 'DescribeAutoScalingGroups', 'AutoScalingGroupNames.member.1': group });
  const suspended = /<SuspendedProcesses>([\s\S]*?)<\/SuspendedProcesses>/.exec(answer.body.toString('utf8'))?.[1] ?? '';
  return /<ProcessName>ScheduledActions<\/ProcessName>/.test(suspended);
}

export async function fireScheduledActions(upstream: Upstream, request: FireRequest): Promise<FireOutcome> {
  const listed = await call(upstream, request, { Action: 'DescribeScheduledActions', ...(request.group ? { AutoScalingGroupName: request.group } : {}) });
  const outcome: FireOutcome = { fired: [], skipped: [] };
  for (const m of listed.body.toString('utf8').matchAll(MEMBER)) {
    const group = tagText(m[1]!, 'AutoScalingGroupName');
    const action = tagText(m[1]!, 'ScheduledActionName');
    if (!group || !action || (request.group && group !== request.group) || (request.action && action !== request.action)) continue;
    if (await suspendedScheduledActions(upstream, request, group)) {
      outcome.skipped.push({ group, action, reason: 'the group has ScheduledActions suspended' });
      continue;
    }
    const sizes: Record<string, number> = {};
    for (const field of ['MinSize', 'MaxSize', 'DesiredCapacity']) {
      const v = tagText(m[1]!, field);
      if (v !== undefined) sizes[field] = Number(v);
    }
    await call(upstream, request, { Action: 'UpdateAutoScalingGroup', AutoScalingGroupName: group, ...Object.fromEntries(Object.entries(sizes).map(([k, v]) => [k, String(v)])) });
    outcome.fired.push({ group, action, sizes });
  }
  return outcome;
}
