import { AutoScalingClient, PutScheduledUpdateGroupActionCommand, SuspendProcessesCommand } from '@aws-sdk/client-auto-scaling';
import { DEMO_FLEET, seedFleet } from '../src/sandbox/fleet/seed-fleet';
const endpoint = process.argv[2]!;
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
(async () => {
  await seedFleet(DEMO_FLEET, { endpoint, credentials });
  const west = new AutoScalingClient({ region: 'us-west-2', endpoint, credentials });
  // A nightly scale-in that is due in a few minutes (cron in UTC).
  const soon = new Date(Date.now() + 4 * 60_000);
  await west.send(new PutScheduledUpdateGroupActionCommand({ AutoScalingGroupName: 'api-us-west-2', ScheduledActionName: 'nightly-scale-in', Recurrence: `${soon.getUTCMinutes()} ${soon.getUTCHours()} * * *`, MinSize: 1, DesiredCapacity: 2 }));
  const eu = new AutoScalingClient({ region: 'eu-west-1', endpoint, credentials });
  await eu.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'search-eu-west-1', ScalingProcesses: ['ReplaceUnhealthy'] }));
  console.log('seeded');
})();
