import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { ROUTE53_REGION } from '../src/cloud/aws/aws-clients';
import type { RegionCode } from '../src/core/fleet';

/** SDK clients for poking AWS by hand at the REPL (`aws.autoScaling['us-east-1']`), one per managed region. */
export interface AwsReplClients {
  autoScaling: Record<RegionCode, AutoScalingClient>;
  ec2: Record<RegionCode, EC2Client>;
  route53: Route53Client;
}

function createAwsClients(regions: readonly RegionCode[]): AwsReplClients {
  return {
    autoScaling: Object.fromEntries(regions.map((region) => [region, new AutoScalingClient({ region })])),
    ec2: Object.fromEntries(regions.map((region) => [region, new EC2Client({ region })])),
    route53: new Route53Client({ region: ROUTE53_REGION }),
  };
}

/** The clients, made the first time someone reaches for them (most sessions never do), and closed with the REPL. */
export function lazyAwsClients(regions: readonly RegionCode[]): { get(): AwsReplClients; close(): void } {
  let clients: AwsReplClients | undefined;
  return {
    get: () => (clients ??= createAwsClients(regions)),
    close() {
      if (!clients) return;
      for (const c of Object.values(clients.autoScaling)) c.destroy();
      for (const c of Object.values(clients.ec2)) c.destroy();
      clients.route53.destroy();
      clients = undefined;
    },
  };
}
