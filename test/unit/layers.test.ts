import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The layer rule of eslint.config.mjs (eslint-plugin-boundaries), tried on imports of real files.
const eslint = new ESLint({ cwd: process.cwd() });
const layerErrors = async (code: string, filePath: string) => {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'boundaries/dependencies').map((m) => m.message);
};

describe('imports point one way (lint rule)', () => {
  it.each([
    ['operations importing a BullMQ queue from jobs', 'src/operations/example.ts', "import { OperationQueue } from '../jobs/bullmq-queue';\nexport const q = OperationQueue;", /^operations may import only operations, core, cloud/],
    ['operations importing a Redis implementation', 'src/operations/example.ts', "import { RedisOperationStore } from '../redis/redis-operation-store';\nexport const s = RedisOperationStore;", /^operations may import only/],
    ['operations importing runbooks', 'src/operations/example.ts', "import { runActivity } from '../runbooks/run-activity';\nexport const r = runActivity;", /^operations may import only/],
    ['the core importing the cloud ports', 'src/core/example.ts', "import type { CloudPort } from '../cloud/ports';\nexport type C = CloudPort;", /^core may import only core/],
    ['the API importing the composition root', 'src/api/example.ts', "import { createLifeboat } from '../app/create-lifeboat';\nexport const c = createLifeboat;", /^api may import only/],
    ['the CLI importing the API', 'src/cli/example.ts', "import { buildApp } from '../api/app';\nexport const b = buildApp;", /^cli may import only/],
    ['product code importing the sandbox (the fault proxy)', 'src/app/example.ts', "import { startAwsProxy } from '../sandbox/proxy/aws-proxy';\nexport const p = startAwsProxy;", /^app may import only/],
    ['the REPL importing the demo', 'repl/example.ts', "import { seedFleet } from '../src/sandbox/fleet/seed-fleet';\nexport const s = seedFleet;", /^repl may import only/],
  ])('refuses %s', async (_what, filePath, code, message) => {
    expect(await layerErrors(code, filePath)).toEqual([expect.stringMatching(message)]);
  });

  it.each([
    ['runbooks using operations', 'src/runbooks/example.ts', "import { submitOperation } from '../operations/submit-operation';\nexport const s = submitOperation;"],
    ['redis implementing an operations port', 'src/redis/example.ts', "import type { RegionLeases } from '../operations/ports/region-leases';\nexport type L = RegionLeases;"],
    ['the composition root wiring jobs', 'src/app/example.ts', "import { startOperationWorker } from '../jobs/operation-worker';\nexport const w = startOperationWorker;"],
    ['tests using the sandbox', 'test/unit/example.test.ts', "import { startAwsProxy } from '../../src/sandbox/proxy/aws-proxy';\nexport const p = startAwsProxy;"],
  ])('allows %s', async (_what, filePath, code) => {
    expect(await layerErrors(code, filePath)).toEqual([]);
  });
}, 60_000);
