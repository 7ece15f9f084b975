import { CreateOrUpdateTagsCommand, DeleteTagsCommand, DeleteWarmPoolCommand, DescribeWarmPoolCommand, PutWarmPoolCommand } from '@aws-sdk/client-auto-scaling';
import type { AutoScalingGroupReading, RegionCode } from '../../core/fleet';
import { TAG_WARM_POOL, WARM_POOL_CREATED } from '../../core/fleet';
import type { GroupRef, WarmPoolUpdate } from '../ports';
import type { AwsClients } from './aws-clients';
import { awsCall } from './aws-errors';

/** Where lifeboat calls the warm pool API: reading each pool's warm instances, setting pools, deleting those it created. */

/** Warm instances ready to enter service; Warmed:Pending* are still being initialized, Warmed:Terminating* are leaving. */
const READY_STATES = new Set(['Warmed:Stopped', 'Warmed:Running', 'Warmed:Hibernated']);

const asCall = (region: RegionCode, action: string) => ({ service: 'autoscaling' as const, region, action });

/**
 * For each group DescribeAutoScalingGroups showed with a warm pool but without its size
 * (WarmPoolSize: AWS states it, moto does not), DescribeWarmPool's instances: the pool's size
 * becomes the warm instances ready to enter service. One call per such group, none for the
 * others: a fleet read stays within Auto Scaling's quota however many pools there are.
 */
export async function attachWarmPools(clients: AwsClients, region: RegionCode, groups: AutoScalingGroupReading[]): Promise<void> {
  const client = clients.autoScaling(region);
  await Promise.all(
    groups
      .filter((g) => g.warmPool?.sizeUnknown)
      .map(async (g) => {
        let ready = 0;
        let nextToken: string | undefined;
        do {
          const page = await awsCall(asCall(region, 'DescribeWarmPool'), () =>
            client.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: g.name, ...(nextToken ? { NextToken: nextToken } : {}) })),
          );
          ready += (page.Instances ?? []).filter((i) => READY_STATES.has(i.LifecycleState ?? '')).length;
          nextToken = page.NextToken || undefined;
        } while (nextToken);
        const { sizeUnknown: _unknown, ...pool } = g.warmPool!;
        g.warmPool = { ...pool, size: ready };
      }),
  );
}

/** PutWarmPool with absolute settings; a pool lifeboat creates is tagged lifeboat:warm-pool=created first, so the record never claims less than was done. */
export async function putWarmPool(clients: AwsClients, update: WarmPoolUpdate): Promise<void> {
  const client = clients.autoScaling(update.region);
  if (update.created) {
    await awsCall(asCall(update.region, 'CreateOrUpdateTags'), () =>
      client.send(
        new CreateOrUpdateTagsCommand({
          Tags: [{ ResourceId: update.group, ResourceType: 'auto-scaling-group', Key: TAG_WARM_POOL, Value: WARM_POOL_CREATED, PropagateAtLaunch: false }],
        }),
      ),
    );
  }
  const { minSize, maxGroupPreparedCapacity, poolState } = update.settings;
  await awsCall(asCall(update.region, 'PutWarmPool'), () =>
    client.send(new PutWarmPoolCommand({ AutoScalingGroupName: update.group, MinSize: minSize, MaxGroupPreparedCapacity: maxGroupPreparedCapacity, PoolState: poolState })),
  );
}

/** DeleteWarmPool (ForceDelete: its warm instances go with it), then the lifeboat:warm-pool tag: the record goes last. */
export async function deleteWarmPool(clients: AwsClients, group: GroupRef): Promise<void> {
  const client = clients.autoScaling(group.region);
  await awsCall(asCall(group.region, 'DeleteWarmPool'), () => client.send(new DeleteWarmPoolCommand({ AutoScalingGroupName: group.group, ForceDelete: true })));
  await awsCall(asCall(group.region, 'DeleteTags'), () =>
    client.send(new DeleteTagsCommand({ Tags: [{ ResourceId: group.group, ResourceType: 'auto-scaling-group', Key: TAG_WARM_POOL }] })),
  );
}
