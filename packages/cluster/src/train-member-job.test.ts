import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@topk/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runShardedJob } from './run-sharded-job.js';
import { shardItems } from './shard-items.js';
import { type ClusterWorker, startWorker } from './start-worker.js';
import { startRedis, type TestRedis } from './testing/start-redis.js';
import {
  collectMembers,
  createTrainMemberHandler,
  memberSeed,
  type TrainMemberJob,
} from './train-member-job.js';

let redis: TestRedis;
let dir: string;
let worker: ClusterWorker;
const trained: TrainMemberJob<{ seed: number; epochs: number }>[] = [];

beforeAll(async () => {
  redis = await startRedis();
  dir = await mkdtemp(join(tmpdir(), 'topk-members-'));
  // A stand-in for the training package: "trains" a class-count model on the member's shard.
  const train = createTrainMemberHandler<{ seed: number; epochs: number }>(async (job) => {
    trained.push(job);
    const counts = [0, 0, 0];
    job.items.forEach((item, i) => {
      counts[item.label!]!++;
      job.progress(i + 1);
    });
    await job.writeFile('model.json', JSON.stringify({ counts, seed: job.seed, epochs: job.payload.epochs }));
    return { info: { validAccuracy: counts[0]! / job.items.length } };
  });
  worker = startWorker({
    redis: redis.url,
    queue: 'q-members',
    concurrency: 2,
    handlers: { 'train-member': train },
  });
});
afterAll(async () => {
  await worker?.close({ force: true });
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('train-member jobs', () => {
  it('trains one member per shard with its own seed, and collects the members in order', async () => {
    const items = Array.from({ length: 60 }, (_, i) => ({ id: `x${i}`, label: i % 3 }));
    const shards = shardItems(items, { shards: 4, by: 'class', rng: new Rng(1) });
    const report = await runShardedJob({
      redis: redis.url,
      queue: 'q-members',
      runId: 'ensemble-1',
      kind: 'train-member',
      shards,
      payload: { seed: 42, epochs: 2 },
      outDir: join(dir, 'ensemble'),
      pollMs: 20,
      progressBar: false,
    });
    expect(report.completed).toBe(4);
    expect(trained.map((job) => job.member).sort()).toEqual([0, 1, 2, 3]);
    for (const job of trained) {
      expect(job.members).toBe(4);
      expect(job.seed).toBe(memberSeed(42, job.member));
    }
    const members = collectMembers(report);
    expect(members.map((member) => member.member)).toEqual([0, 1, 2, 3]);
    for (const member of members) {
      expect(member.files).toEqual(['model.json']);
      expect(member.items).toBe(15);
      const model = JSON.parse(await readFile(join(member.dir, 'model.json'), 'utf8'));
      // Stratified shards: 20 items per class over 4 members is 5 of each class per member.
      expect(model).toEqual({ counts: [5, 5, 5], seed: memberSeed(42, member.member), epochs: 2 });
      expect(member.info).toEqual({ validAccuracy: 5 / 15 });
    }
  });

  it('member seeds are fixed by the run seed, distinct across members, in [0, 2^31)', () => {
    const seeds = Array.from({ length: 50 }, (_, m) => memberSeed(7, m));
    expect(new Set(seeds).size).toBe(50);
    expect(seeds.every((s) => Number.isInteger(s) && s >= 0 && s < 2 ** 31)).toBe(true);
    expect(memberSeed(7, 3)).toBe(seeds[3]);
    expect(memberSeed(8, 3)).not.toBe(seeds[3]);
    expect(memberSeed('run-a', 0)).toBe(memberSeed('run-a', 0));
    expect(() => memberSeed(7, -1)).toThrow('Error in memberSeed: member must be an integer >= 0, got -1');
    expect(() => createTrainMemberHandler(1 as never)).toThrow(
      'Error in createTrainMemberHandler: train must be a function (job) => Promise<outcome>',
    );
    expect(() => collectMembers(null as never)).toThrow('report must be a report from runShardedJob');
  });
});
