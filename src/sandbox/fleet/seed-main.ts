import { DEMO_FLEET, seedFleet } from './seed-fleet';

/**
 * The demo fleet seeded into moto at AWS_ENDPOINT_URL, for trying lifeboat in containers
 * (compose.yaml's `seed` service):
 *   AWS_ENDPOINT_URL=http://127.0.0.1:5000 npx ts-node --transpile-only src/sandbox/fleet/seed-main.ts
 * Without AWS_ENDPOINT_URL it refuses, so it never seeds a real AWS account by accident.
 * Seeding twice sets the same sizes and weights again.
 */
async function main(): Promise<void> {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint) {
    process.stderr.write('seed-main: set AWS_ENDPOINT_URL to moto’s address; the demo fleet is seeded only into an emulator, never into AWS itself\n');
    process.exit(2);
  }
  const seeded = await seedFleet(DEMO_FLEET, { endpoint });
  process.stdout.write(
    `seeded ${seeded.groups.length} Auto Scaling groups in ${DEMO_FLEET.regions.join(', ')} and ${seeded.records.length} weighted records in ${seeded.zoneName} (${seeded.zoneId}) at ${endpoint}\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`seed-main: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
