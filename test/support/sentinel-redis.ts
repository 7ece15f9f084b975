import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { freePort } from '../../src/sandbox/free-port';
import { stopChild } from './child-process';

/**
 * Redis as production runs it behind Sentinel, on 127.0.0.1, the test's own: a primary and a
 * replica (both AOF, fsync always) and three sentinels (Debian's redis-server in sentinel
 * mode, quorum 2) watching them, each with a config file in a temporary folder. The primary
 * can be SIGKILLed; the sentinels promote the replica. stop() kills them all and removes
 * the folder. The shared Redis is never touched.
 */
export interface SentinelRedis {
  masterName: string;
  primary: RedisNode;
  replica: RedisNode;
  /** The sentinels' addresses, as REDIS_SENTINELS wants them. */
  sentinels: string;
  /** lifeboat's settings for this topology. */
  env(): Record<string, string>;
  /** Where the sentinels say the primary is now (host:port). */
  masterAddress(): Promise<string>;
  /** Listens to every sentinel (resolves once it does); `switched` is the new primary's address once one announces +switch-master. */
  watchSwitch(timeoutMs: number): Promise<{ switched: Promise<string> }>;
  stop(): Promise<void>;
}

export interface RedisNode {
  port: number;
  address: string;
  child: ChildProcess;
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

const HOST = '127.0.0.1';
const MASTER_NAME = 'lbtest';
/** How long the sentinels wait before they call the primary down; short, so the test's failover takes seconds. */
const DOWN_AFTER_MS = 1000;
const READY_MS = 30_000;

export async function startSentinelRedis(): Promise<SentinelRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-sentinel-'));
  const started: RedisNode[] = [];
  const stopAll = async () => {
    await Promise.all(started.map((n) => n.kill('SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [primaryPort, replicaPort, ...sentinelPorts] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const primary = startNode('primary', primaryPort!, dataConfig(dir, 'primary', primaryPort!), started);
    await until(() => pings(primary.port), READY_MS, 'primary answers PING', primary);
    const replica = startNode('replica', replicaPort!, dataConfig(dir, 'replica', replicaPort!, primary.port), started);
    await until(() => replicaLinked(replica.port), READY_MS, 'replica in sync with the primary', replica);
    const sentinels = sentinelPorts.map((port, i) => startNode(`sentinel-${i + 1}`, port, sentinelConfig(dir, i + 1, port, primary.port), started, true));
    // Every sentinel knows the replica and the two other sentinels: a failover can be agreed on.
    for (const s of sentinels) await until(() => sentinelSeesAll(s.port), READY_MS, `sentinel on ${s.port} knows the replica and 2 other sentinels`, s);
    const addresses = sentinels.map((s) => s.address).join(',');

    return {
      masterName: MASTER_NAME,
      primary,
      replica,
      sentinels: addresses,
      env: () => ({ REDIS_SENTINELS: addresses, REDIS_SENTINEL_NAME: MASTER_NAME }),
      masterAddress: () => askSentinel(sentinels[0]!.port, async (c) => ((await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)) as string[]).join(':')),
      watchSwitch: (timeoutMs) => watchSwitch(sentinels.map((s) => s.port), timeoutMs),
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/** A data node's config: AOF with every write fsynced, noeviction, its own folder; a replica of `primaryPort` when given. */
function dataConfig(dir: string, name: string, port: number, primaryPort?: number): string {
  const nodeDir = join(dir, name);
  mkdirSync(nodeDir);
  const lines = [
    `port ${port}`,
    `bind ${HOST}`,
    `dir ${nodeDir}`,
    'appendonly yes',
    'appendfsync always',
    'save ""',
    'maxmemory-policy noeviction',
    ...(primaryPort ? [`replicaof ${HOST} ${primaryPort}`] : []),
  ];
  return writeConfig(dir, `${name}.conf`, lines);
}

/** A sentinel's config (it rewrites the file as it learns the topology): quorum 2 of 3, a short down-after. */
function sentinelConfig(dir: string, n: number, port: number, primaryPort: number): string {
  const nodeDir = join(dir, `sentinel-${n}`);
  mkdirSync(nodeDir);
  return writeConfig(dir, `sentinel-${n}.conf`, [
    `port ${port}`,
    `bind ${HOST}`,
    `dir ${nodeDir}`,
    `sentinel monitor ${MASTER_NAME} ${HOST} ${primaryPort} 2`,
    `sentinel down-after-milliseconds ${MASTER_NAME} ${DOWN_AFTER_MS}`,
    `sentinel failover-timeout ${MASTER_NAME} 10000`,
    `sentinel parallel-syncs ${MASTER_NAME} 1`,
  ]);
}

function writeConfig(dir: string, file: string, lines: string[]): string {
  const path = join(dir, file);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function startNode(name: string, port: number, config: string, started: RedisNode[], sentinel = false): RedisNode {
  const child = spawn('redis-server', [config, ...(sentinel ? ['--sentinel'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-6000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('error', (e) => (output += `\n${name}: ${e.message}`));
  const node: RedisNode = { port, address: `${HOST}:${port}`, child, output: () => `[${name}]\n${output}`, kill: (signal) => stopChild(child, signal) };
  started.push(node);
  return node;
}

/** Polls `check` (each a single cheap command) until it holds; fails with the node's output if it exits or the deadline passes. */
async function until(check: () => Promise<boolean>, timeoutMs: number, what: string, node: RedisNode): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (node.child.exitCode !== null || node.child.signalCode !== null) throw new Error(`redis-server exited before ${what}:\n${node.output()}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms\n${node.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function client(port: number): IORedis {
  const c = new IORedis({ host: HOST, port, lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  c.on('error', () => undefined);
  return c;
}

async function askSentinel<T>(port: number, ask: (c: IORedis) => Promise<T>): Promise<T> {
  const c = client(port);
  try {
    await c.connect();
    return await ask(c);
  } finally {
    c.disconnect();
  }
}

const pings = (port: number) => askSentinel(port, async (c) => (await c.ping()) === 'PONG');
const replicaLinked = (port: number) => askSentinel(port, async (c) => /^master_link_status:up/m.test(await c.info('replication')));

async function sentinelSeesAll(port: number): Promise<boolean> {
  return askSentinel(port, async (c) => {
    const flat = (await c.call('SENTINEL', 'MASTER', MASTER_NAME)) as string[];
    const field = (k: string) => Number(flat[flat.indexOf(k) + 1]);
    return field('num-slaves') === 1 && field('num-other-sentinels') === 2;
  });
}

/**
 * Subscribes every sentinel to +switch-master ("<name> <old-ip> <old-port> <new-ip> <new-port>");
 * resolves once subscribed, with the first switch to come (the new primary's address).
 */
async function watchSwitch(ports: number[], timeoutMs: number): Promise<{ switched: Promise<string> }> {
  const subscribers = ports.map((port) => client(port));
  const close = () => subscribers.forEach((s) => s.disconnect());
  try {
    await Promise.all(
      subscribers.map(async (s) => {
        await s.connect();
        await s.subscribe('+switch-master');
      }),
    );
  } catch (e) {
    close();
    throw e;
  }
  const switched = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no +switch-master within ${timeoutMs} ms`)), timeoutMs);
    for (const s of subscribers) {
      s.on('message', (_channel: string, message: string) => {
        const [name, , , ip, port] = message.split(' ');
        if (name !== MASTER_NAME) return;
        clearTimeout(timer);
        resolve(`${ip}:${port}`);
      });
    }
  }).finally(close);
  return { switched };
}
