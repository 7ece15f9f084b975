import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  BUILD_INPUTS,
  CHECKOUT_INSTALL,
  ENTRY_POINTS,
  HEALTHCHECK,
  IMAGE_REPL_TOOLS,
  PACK,
  PRODUCTION_INSTALL,
  UNPACK,
  replToolsInstall,
} from '../support/production-install';

/**
 * The Dockerfile cannot be built here (no base images, no docker), so it is held to the install
 * that test/e2e/production-install.test.ts performs: its RUN lines are those commands, its CMD
 * and HEALTHCHECK lines are entry points that test starts, and the docs say the same.
 */

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface Stage {
  name: string;
  from: string;
  run: string[];
  copy: string[][];
  cmd?: string[];
  healthcheck?: string[];
  env: Record<string, string>;
  user?: string;
}

/** The Dockerfile's stages and, in each, what matters here (continuation lines joined, comments dropped). */
function dockerfileStages(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, instruction, rest] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    const stage = stages.at(-1);
    switch (instruction?.toUpperCase()) {
      case 'FROM': {
        const [, from, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest!) ?? [];
        stages.push({ name: name ?? String(stages.length), from: from!, run: [], copy: [], env: {} });
        break;
      }
      case 'RUN':
        stage!.run.push(rest!.replace(/^(--\S+\s+)+/, '').replace(/\s+/g, ' '));
        break;
      case 'COPY':
        stage!.copy.push(rest!.split(/\s+/).filter((w) => !w.startsWith('--')));
        break;
      case 'CMD':
        stage!.cmd = JSON.parse(rest!) as string[];
        break;
      case 'HEALTHCHECK':
        stage!.healthcheck = JSON.parse(rest!.replace(/^(--\S+\s+)*CMD\s+/, '')) as string[];
        break;
      case 'ENV':
        for (const m of rest!.matchAll(/(\w+)=(\S+)/g)) stage!.env[m[1]!] = m[2]!;
        break;
      case 'USER':
        stage!.user = rest;
        break;
    }
  }
  return stages;
}

const stages = dockerfileStages(read('Dockerfile'));
const stage = (name: string) => {
  const s = stages.find((x) => x.name === name);
  if (!s) throw new Error(`the Dockerfile has no stage ${name} (stages: ${stages.map((x) => x.name).join(', ')})`);
  return s;
};

describe('Dockerfile', () => {
  it('builds in one stage and runs from others; the service is the default target', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'app', 'repl', 'service']);
    expect(stage('repl').from).toBe('app');
    expect(stage('service').from).toBe('app');
  });

  it('runs exactly the install commands the production-install test runs', () => {
    // The build stage's `npm ci` is .ci/run's, whose node_modules the test packs with.
    expect(read('.ci/run').split('\n').some((line) => line === CHECKOUT_INSTALL || line.startsWith(`${CHECKOUT_INSTALL} `))).toBe(true);
    expect(stage('build').run).toEqual([CHECKOUT_INSTALL, PACK]);
    expect(stage('app').run).toEqual([UNPACK, PRODUCTION_INSTALL]);
    expect(stage('repl').run).toEqual([replToolsInstall(IMAGE_REPL_TOOLS)]);
    expect(stage('service').run).toEqual([]);
  });

  it('builds from the files the test packs from, and installs from the tarball and the lockfile', () => {
    const copied = stage('build').copy.flatMap((words) => words.slice(0, -1));
    expect([...copied].sort()).toEqual([...BUILD_INPUTS].sort());
    expect(stage('app').copy).toEqual([['/build/lifeboat-*.tgz', '/build/lifeboat/package-lock.json', './']]);
  });

  it('starts the entry points the test starts, and checks health as the test does', () => {
    expect(stage('service').cmd).toEqual([...ENTRY_POINTS.service]);
    expect(stage('repl').cmd).toEqual([...ENTRY_POINTS.repl]);
    expect(stage('service').healthcheck).toEqual(HEALTHCHECK);
    expect(stage('repl').env.NODE_PATH).toBe(`${IMAGE_REPL_TOOLS}/node_modules`);
    // The other entry points are commands of the same image, named in its comments.
    const text = read('Dockerfile');
    for (const command of [ENTRY_POINTS.api, ENTRY_POINTS.worker, ENTRY_POINTS.cli, ENTRY_POINTS.token]) expect(text).toContain(command.join(' '));
  });

  it('runs as a non-root user, in production mode, listening on every interface of the container', () => {
    for (const name of ['repl', 'service']) expect(stage(name).user, name).toBe('node');
    expect(stage('app').env.NODE_ENV).toBe('production');
    expect(stage('service').env.HOST).toBe('0.0.0.0');
  });

  it('pins the REPL compiler to the versions lifeboat is tested with', () => {
    const pkg = JSON.parse(read('package.json')) as { devDependencies: Record<string, string> };
    expect(stage('repl').run[0]).toContain(`ts-node@${pkg.devDependencies['ts-node']} typescript@${pkg.devDependencies.typescript}`);
  });
});

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml')) as { services: Record<string, { command?: string[]; build?: unknown; image?: string }> };

  it('runs Redis with AOF, moto, and the API and a worker with the image’s entry points', () => {
    const redis = compose.services.redis!.command!.join(' ');
    expect(redis).toContain('--appendonly yes');
    expect(redis).toContain('--maxmemory-policy noeviction');
    expect(compose.services.moto?.image).toMatch(/^motoserver\/moto/);
    expect(compose.services.api!.command).toEqual([...ENTRY_POINTS.api]);
    expect(compose.services.worker!.command).toEqual([...ENTRY_POINTS.worker]);
  });
});

describe('docs/container.md', () => {
  it('gives the tested install and the docker build commands', () => {
    const doc = read('docs/container.md');
    for (const command of [PACK, UNPACK, PRODUCTION_INSTALL, replToolsInstall(IMAGE_REPL_TOOLS), 'docker build -t lifeboat .', 'docker build --target repl -t lifeboat-repl .']) {
      expect(doc, command).toContain(command);
    }
    expect(doc).toMatch(/built by you/i);
  });
});
