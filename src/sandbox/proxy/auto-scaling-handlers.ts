import type { InstanceList, InstanceMember, InstanceView } from './auto-scaling-xml';
import { instanceMembers, rewriteInstanceMembers } from './auto-scaling-xml';
import { injectActivities } from './capacity-faults';
import type { CallContext, CallHandler } from './call-context';
import { passThrough, sendUpstream, sendWire } from './call-context';
import { randomUUID } from 'node:crypto';
import { XML_NAMESPACES, xmlResponse } from './wire-errors';
import { awsTime, element, tagText } from './xml-text';
import { warmPoolSettingsIn, warmPoolSize, withWarmPoolSizes } from './warm-pools';
import { settleGroupUpdate } from './group-updates';

/**
 * Auto Scaling calls the proxy changes: group updates (to learn which instances are new),
 * the two instance listings (Pending and missing instances) and the scaling activities
 * (failed launches).
 */

/** How one listed instance is shown now; a missing instance launches once its zone has capacity again. */
function showInstance(ctx: CallContext, member: InstanceMember): InstanceView {
  const { state } = ctx;
  const now = state.clock.now();
  if (state.instances.isMissing(member.instanceId) && state.capacity.tryDeliver(ctx.call.region, member.availabilityZone)) {
    state.instances.markLaunching(member.instanceId, now + state.readyAfterMs());
  }
  return state.instances.view(member, now, state.profile.groups.launchHooksHold);
}

/**
 * moto creates a group's new instances before the proxy has judged them; a listing moto
 * answered meanwhile is rewritten only once every update in the region has been judged.
 */
async function fetchSettled(ctx: CallContext) {
  const answer = await ctx.upstream.fetch(ctx.request);
  await ctx.state.groupUpdates.idle(`${ctx.call.region}/`);
  return answer;
}

function listingHandler(list: InstanceList): CallHandler {
  return async (ctx) => {
    const answer = await fetchSettled(ctx);
    return sendUpstream(ctx.res, answer, (xml) => {
      const shown = rewriteInstanceMembers(xml, list, (m) => showInstance(ctx, m));
      // Groups with a warm pool state its size, as AWS does (moto does not): the warm instances the model holds ready.
      return list === 'Instances' ? withWarmPoolSizes(shown, (group, part) => warmInstancesIn(ctx, group, part)) : shown;
    });
  };
}

/** The group as moto describes it (its XML), asked with the caller's own credentials; undefined if moto would not say. */
async function groupDescription(ctx: CallContext, group: string): Promise<string | undefined> {
  const body = new URLSearchParams({ Action: 'DescribeAutoScalingGroups', Version: '2011-01-01', 'AutoScalingGroupNames.member.1': group }).toString();
  try {
    const answer = await ctx.upstream.fetch({
      method: 'POST',
      url: '/',
      headers: {
        ...(ctx.request.headers.authorization !== undefined ? { authorization: ctx.request.headers.authorization } : {}),
        ...(ctx.request.headers.host !== undefined ? { host: ctx.request.headers.host } : {}),
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      },
      body: Buffer.from(body),
    });
    return answer.status === 200 ? answer.body.toString('utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** The group's instances as moto has them; undefined if moto would not say. */
async function groupInstances(ctx: CallContext, group: string): Promise<InstanceMember[] | undefined> {
  const xml = await groupDescription(ctx, group);
  return xml === undefined ? undefined : instanceMembers(xml, 'Instances');
}

/** Warm instances ready in the group's pool now (0 without a pool), from moto's description of the group. */
function warmInstancesIn(ctx: CallContext, group: string, xml: string): number {
  const settings = warmPoolSettingsIn(xml);
  if (!settings) return 0;
  const sizes = { desiredCapacity: Number(tagText(xml, 'DesiredCapacity') ?? 0) || 0, maxSize: Number(tagText(xml, 'MaxSize') ?? 0) || 0 };
  return ctx.state.warmPools.available(`${ctx.call.region}/${group}`, warmPoolSize(settings, sizes), ctx.state.clock.now());
}

/** UpdateAutoScalingGroup and SetDesiredCapacity: forwarded, then the new instances are judged. */
const groupUpdate: CallHandler = (ctx) => {
  const group = ctx.call.params.get('AutoScalingGroupName');
  if (!group) return passThrough(ctx);
  const desired = Number(ctx.call.params.get('DesiredCapacity') ?? Number.NaN);
  const key = `${ctx.call.region}/${group}`;
  return ctx.state.groupUpdates.run(key, async () => {
    const described = await groupDescription(ctx, group);
    const before = described === undefined ? undefined : instanceMembers(described, 'Instances');
    const warm = described === undefined ? 0 : warmInstancesIn(ctx, group, described);
    const answer = await ctx.upstream.fetch(ctx.request);
    if (answer.status < 300 && before) {
      const after = await groupInstances(ctx, group);
      if (after) {
        const now = ctx.state.clock.now();
        const outcome = settleGroupUpdate(
          {
            region: ctx.call.region,
            group,
            before,
            after,
            now,
            readyAfterMs: ctx.state.readyAfterMs(),
            ...(Number.isInteger(desired) ? { desiredCapacity: desired } : {}),
            ...(warm > 0 ? { warm: { count: warm, readyAfterMs: ctx.state.warmReadyAfterMs() } } : {}),
          },
          ctx.state.instances,
          ctx.state.capacity,
        );
        // Each warm instance that left is replaced in the pool by a cold launch.
        ctx.state.warmPools.take(key, outcome.fromWarmPool.length, now + ctx.state.readyAfterMs());
      }
    }
    return sendUpstream(ctx.res, answer);
  });
};

/** DescribeScalingActivities: failed launches first, on the first page only. */
const scalingActivities: CallHandler = async (ctx) => {
  const answer = await fetchSettled(ctx);
  const { params, region } = ctx.call;
  if (params.get('NextToken')) return sendUpstream(ctx.res, answer);
  const maxRecords = Number(params.get('MaxRecords') ?? 100);
  const failed = ctx.state.capacity.failedActivities(region, params.get('AutoScalingGroupName') ?? undefined, Number.isFinite(maxRecords) ? maxRecords : 100);
  return sendUpstream(ctx.res, answer, (xml) => injectActivities(xml, failed));
};

/** DescribeInstanceRefreshes: moto has no instance refreshes; the proxy answers with the profile's. */
const instanceRefreshes: CallHandler = (ctx) => {
  const group = ctx.call.params.get('AutoScalingGroupName');
  const refreshes = ctx.state.profile.groups.instanceRefreshes.filter((r) => r.region === ctx.call.region && (group === null || r.group === group));
  const members = refreshes
    .map(
      (r, i) =>
        '<member>' +
        element('InstanceRefreshId', `proxy-refresh-${r.group}-${i}`) +
        element('AutoScalingGroupName', r.group) +
        element('Status', r.status) +
        element('PercentageComplete', r.percentageComplete) +
        element('StartTime', awsTime(ctx.state.clock.now())) +
        '</member>',
    )
    .join('');
  const body = `<DescribeInstanceRefreshesResponse xmlns="${XML_NAMESPACES.autoscaling}"><DescribeInstanceRefreshesResult><InstanceRefreshes>${members}</InstanceRefreshes></DescribeInstanceRefreshesResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></DescribeInstanceRefreshesResponse>`;
  return Promise.resolve(sendWire(ctx.res, xmlResponse(200, body)));
};

/**
 * DescribeWarmPool: moto lists no instances in a pool; the proxy lists the warm instances its
 * model holds ready (Warmed:Stopped, or the pool's state), so readers see what a scale-out takes.
 */
const describeWarmPool: CallHandler = async (ctx) => {
  const group = ctx.call.params.get('AutoScalingGroupName');
  const answer = await fetchSettled(ctx);
  if (!group || answer.status !== 200) return sendUpstream(ctx.res, answer);
  const described = await groupDescription(ctx, group);
  const warm = described === undefined ? 0 : warmInstancesIn(ctx, group, described);
  const state = `Warmed:${tagText(answer.body.toString('utf8'), 'PoolState') ?? 'Stopped'}`;
  const members = Array.from(
    { length: warm },
    (_, i) => `<member>${element('InstanceId', `i-warm${String(i).padStart(12, '0')}`)}${element('LifecycleState', state)}${element('HealthStatus', 'Healthy')}</member>`,
  ).join('');
  return sendUpstream(ctx.res, answer, (xml) => withWarmInstances(xml, members));
};

/** The answer with its (empty) Instances list replaced by these members. */
function withWarmInstances(xml: string, members: string): string {
  const list = `<Instances>${members}</Instances>`;
  if (/<Instances\s*\/>|<Instances>[\s\S]*?<\/Instances>/.test(xml)) return xml.replace(/<Instances\s*\/>|<Instances>[\s\S]*?<\/Instances>/, list);
  return xml.replace('</DescribeWarmPoolResult>', `${list}</DescribeWarmPoolResult>`);
}

/** DeleteWarmPool: forwarded; the model forgets the pool's refills. */
const deleteWarmPool: CallHandler = async (ctx) => {
  const group = ctx.call.params.get('AutoScalingGroupName');
  const answer = await ctx.upstream.fetch(ctx.request);
  if (group && answer.status < 300) ctx.state.warmPools.forget(`${ctx.call.region}/${group}`);
  return sendUpstream(ctx.res, answer);
};

export const AUTO_SCALING_HANDLERS: Record<string, CallHandler> = {
  DescribeWarmPool: describeWarmPool,
  DeleteWarmPool: deleteWarmPool,
  DescribeInstanceRefreshes: instanceRefreshes,
  UpdateAutoScalingGroup: groupUpdate,
  SetDesiredCapacity: groupUpdate,
  DescribeAutoScalingGroups: listingHandler('Instances'),
  DescribeAutoScalingInstances: listingHandler('AutoScalingInstances'),
  DescribeScalingActivities: scalingActivities,
};
