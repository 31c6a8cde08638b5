import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type ClusterWorker, memberSeed, startWorker } from '@topk/cluster';
import { startRedis, type TestRedis } from '@topk/cluster/testing';
import { Rng } from '@topk/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClusterHandlers, createClusterHandlers } from '../cluster-handlers.js';
import { activateBackend } from '../run-model.js';
import { expectUsageError, put, tempDir, topk } from '../test-support.js';

let dir: string;
let remove: () => Promise<void>;
let redis: TestRedis;
const workers: ClusterWorker[] = [];
const handlerSets: ClusterHandlers[] = [];
// Close class colours under strong per-pixel noise and a per-image brightness shift: learnable, but a
// member that sees a quarter of the images for 3 epochs is noisy, so the members disagree.
const COLORS: Record<string, [number, number, number]> = {
  red: [150, 110, 110],
  green: [110, 150, 110],
  blue: [110, 110, 150],
};
const PER_CLASS = 40;

async function noisyPng(rgb: readonly number[], rng: Rng): Promise<Uint8Array> {
  const side = 16;
  const pixels = new Uint8Array(side * side * 3);
  const shift = rng.normal(0, 25);
  for (let p = 0; p < side * side; p++) {
    for (let c = 0; c < 3; c++) {
      const v = rgb[c]! + shift + rng.normal(0, 70);
      pixels[p * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return new Uint8Array(
    await sharp(pixels, { raw: { width: side, height: side, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  redis = await startRedis();
  // What `topk worker` does before taking jobs.
  await activateBackend('auto', 'train');
  const rng = new Rng(12);
  for (const [name, rgb] of Object.entries(COLORS)) {
    for (let i = 0; i < PER_CLASS; i++)
      await put(join(dir, 'data', name, `${i}.png`), await noisyPng(rgb, rng));
  }
  for (let w = 0; w < 2; w++) {
    const set = await createClusterHandlers({ batchSize: 16 });
    handlerSets.push(set);
    workers.push(startWorker({ redis: redis.url, handlers: set.handlers, name: `ensemble-worker-${w}` }));
  }
  await Promise.all(workers.map((w) => w.ready()));
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  for (const set of handlerSets) set.dispose();
  await redis?.stop();
  await remove();
});

describe('topk cluster train-ensemble', () => {
  it('trains 4 members on class shards through the workers; the ensemble beats its mean member', async () => {
    const argv = [
      'cluster',
      'train-ensemble',
      '--redis',
      redis.url,
      '--data',
      'data',
      '--members',
      '4',
      '--shard-by',
      'class',
      '--backbone',
      'simple-cnn',
      '--size',
      '16',
      '--epochs',
      '3',
      '--batch-size',
      '8',
      '--lr',
      '1e-2',
      '--seed',
      '3',
      '--workers',
      '0',
      '--out',
      'ens',
    ];
    const result = await topk(argv, dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // 120 images, 20 % held out per class (8 of 40): 96 training images, 24 per member.
    expect(result.stdout).toContain('4 of 4 shards completed (0 resumed), 96 training images');
    const report = JSON.parse(await readFile(join(dir, 'ens', 'report.json'), 'utf8'));
    expect(report.validation.images).toBe(24);
    expect(report.members.map((m: { member: number }) => m.member)).toEqual([0, 1, 2, 3]);
    for (const member of report.members) {
      expect(member.items).toBe(24);
      // Each member trained with its own seed (memberSeed of the run's seed) into member-<k>.
      expect(member.info.seed).toBe(memberSeed(3, member.member));
      const config = JSON.parse(
        await readFile(join(dir, 'ens', `member-${member.member}`, 'config.json'), 'utf8'),
      );
      expect(config.seed).toBe(memberSeed(3, member.member));
      expect(config.classes).toEqual(['blue', 'green', 'red']);
    }
    const accuracies: number[] = report.members.map((m: { accuracy: number }) => m.accuracy);
    const mean = accuracies.reduce((a, b) => a + b, 0) / accuracies.length;
    expect(report.meanMemberAccuracy).toBeCloseTo(mean, 12);
    // The members learnt something (chance is 1/3) and differ from each other.
    expect(mean).toBeGreaterThan(0.4);
    expect(new Set(accuracies).size).toBeGreaterThan(1);
    // Seeded: the mean ensemble scores 1.0 against a mean member accuracy of 0.958.
    expect(report.ensembleAccuracy).toBeGreaterThan(report.meanMemberAccuracy);
    // The ensemble's CSV: the validation ids once each, rows of probabilities summing to 1.
    const [header, ...rows] = (await readFile(join(dir, 'ens', 'ensemble-valid.csv'), 'utf8'))
      .trim()
      .split('\n');
    expect(header).toBe('id,blue,green,red');
    expect(rows).toHaveLength(24);
    expect(new Set(rows.map((r) => r.split(',')[0])).size).toBe(24);
    for (const row of rows) {
      const sum = row
        .split(',')
        .slice(1)
        .map(Number)
        .reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 5);
    }
    // Rerunning resumes: the members are found done and not trained again.
    const before = (await stat(join(dir, 'ens', 'member-0', 'config.json'))).mtimeMs;
    const again = await topk(argv, dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('4 of 4 shards completed (4 resumed)');
    expect((await stat(join(dir, 'ens', 'member-0', 'config.json'))).mtimeMs).toBe(before);
    expect(JSON.parse(await readFile(join(dir, 'ens', 'report.json'), 'utf8')).ensembleAccuracy).toBe(
      report.ensembleAccuracy,
    );
  }, 90_000);

  it('refuses data it cannot shard into members, and --loss bce', async () => {
    const base = [
      'cluster',
      'train-ensemble',
      '--redis',
      redis.url,
      '--data',
      'data',
      '--backbone',
      'simple-cnn',
    ];
    const rest = ['--size', '16', '--epochs', '1', '--out', 'bad'];
    expectUsageError(await topk([...base, '--members', '200', ...rest], dir), 'too few for 200 members');
    expectUsageError(await topk([...base, '--members', '2', '--loss', 'bce', ...rest], dir), '--loss bce');
    expectUsageError(
      await topk([...base, '--members', '2', '--shard-by', 'index', ...rest], dir),
      '--shard-by',
    );
  });
});
