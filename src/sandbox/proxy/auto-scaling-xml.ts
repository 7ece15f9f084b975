import { tagText } from './xml-text';

/**
 * Reading and rewriting the instance lists of Auto Scaling answers by pattern:
 * DescribeAutoScalingGroups lists each group's instances in <Instances><member>...,
 * DescribeAutoScalingInstances in <AutoScalingInstances><member>.... An instance member
 * holds no nested <member> (its only structure is <LaunchTemplate>), so a member runs from
 * <member> to the first </member>, and a list from <Instances> to the first </Instances>.
 */

export type InstanceList = 'Instances' | 'AutoScalingInstances';

export interface InstanceMember {
  instanceId: string;
  availabilityZone?: string;
  instanceType?: string;
  lifecycleState?: string;
  /** Only in DescribeAutoScalingInstances. */
  groupName?: string;
}

/** What to show of an instance: hide it, show it in another lifecycle state, or leave it as moto says. */
export type InstanceView = { hidden: true } | { lifecycleState: string } | undefined;

const MEMBER = /<member>([\s\S]*?)<\/member>/g;

function listPattern(list: InstanceList): RegExp {
  return new RegExp(`<${list}>([\\s\\S]*?)</${list}>`, 'g');
}

function readMember(inner: string): InstanceMember | undefined {
  const instanceId = tagText(inner, 'InstanceId');
  if (instanceId === undefined) return undefined;
  const availabilityZone = tagText(inner, 'AvailabilityZone');
  const instanceType = tagText(inner, 'InstanceType');
  const lifecycleState = tagText(inner, 'LifecycleState');
  const groupName = tagText(inner, 'AutoScalingGroupName');
  return {
    instanceId,
    ...(availabilityZone !== undefined ? { availabilityZone } : {}),
    ...(instanceType !== undefined ? { instanceType } : {}),
    ...(lifecycleState !== undefined ? { lifecycleState } : {}),
    ...(groupName !== undefined ? { groupName } : {}),
  };
}

/** Every instance listed in the answer, in order. */
export function instanceMembers(xml: string, list: InstanceList): InstanceMember[] {
  const out: InstanceMember[] = [];
  for (const block of xml.matchAll(listPattern(list))) {
    for (const m of block[1]!.matchAll(MEMBER)) {
      const member = readMember(m[1]!);
      if (member) out.push(member);
    }
  }
  return out;
}

/** The answer with each instance shown as `view` says; an emptied list becomes <List/>. */
export function rewriteInstanceMembers(xml: string, list: InstanceList, view: (member: InstanceMember) => InstanceView): string {
  return xml.replace(listPattern(list), (_whole, inner: string) => {
    const kept = inner.replace(MEMBER, (memberXml, memberInner: string) => {
      const member = readMember(memberInner);
      const shown = member ? view(member) : undefined;
      if (shown === undefined) return memberXml;
      if ('hidden' in shown) return '';
      return memberXml.replace(/<LifecycleState>[\s\S]*?<\/LifecycleState>/, `<LifecycleState>${shown.lifecycleState}</LifecycleState>`);
    });
    return kept.trim() === '' ? `<${list}/>` : `<${list}>${kept}</${list}>`;
  });
}
