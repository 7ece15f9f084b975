import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });
const lint = async (code: string, filePath = 'src/core/example.ts') => {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => m.message);
};

describe('the core stays pure (lint rule)', () => {
  it.each([
    ["import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';\nexport const c = AutoScalingClient;", /talk to AWS through src\/cloud/],
    ["import { Queue } from 'bullmq';\nexport const q = Queue;", /queues and Redis live in src\/jobs/],
    ["import Redis from 'ioredis';\nexport const r = Redis;", /queues and Redis live in src\/jobs/],
    ["import express from 'express';\nexport const e = express;", /HTTP lives in src\/api/],
    ["import { readFileSync } from 'node:fs';\nexport const f = readFileSync;", /no I\/O, no clock/],
    ['export const t = Date.now();', /take the time as an argument/],
    ['export const t = new Date();', /take the time as an argument/],
    ['export const r = Math.random();', /no randomness/],
    ['export const e = process.env.X;', /configuration comes in as arguments/],
  ])('rejects %s', async (code, message) => {
    expect(await lint(code)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  it('allows the same code outside the core', async () => {
    expect(await lint('export const t = Date.now();', 'src/operations/example.ts')).toEqual([]);
  });

  it('allows parsing a given time inside the core', async () => {
    expect(await lint("export const t = new Date('2026-11-24T00:00:00Z');")).toEqual([]);
  });
}, 30_000);
