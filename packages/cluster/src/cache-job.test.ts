import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassVocabulary } from '@topk/core';
import { createDataset, type DatasetItem, decodeImage, openCache, writeCache } from '@topk/data-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_FOLDER, type CachePayload, createCacheHandler, mergeCaches } from './cache-job.js';
import { runShardedJob } from './run-sharded-job.js';
import { shardItems } from './shard-items.js';
import { type ClusterWorker, startWorker } from './start-worker.js';
import { writeTestImages } from './testing/images.js';
import { startRedis, type TestRedis } from './testing/start-redis.js';

const CLASSES = ['cat', 'dog', 'fox', 'owl', 'yak'];
let redis: TestRedis;
let dir: string;
let worker: ClusterWorker;

beforeAll(async () => {
  redis = await startRedis();
  dir = await mkdtemp(join(tmpdir(), 'topk-cache-'));
  worker = startWorker({
    redis: redis.url,
    queue: 'q-cache',
    concurrency: 2,
    handlers: { cache: createCacheHandler() },
  });
});
afterAll(async () => {
  await worker?.close({ force: true });
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function cacheRun(runId: string, items: DatasetItem[], payload: CachePayload, shards = 3) {
  return runShardedJob({
    redis: redis.url,
    queue: 'q-cache',
    runId,
    kind: 'cache',
    shards: shardItems(items as never, { shards }),
    payload: payload as never,
    outDir: join(dir, runId),
    pollMs: 20,
    progressBar: false,
  });
}

describe('sharded cache', () => {
  it('resizes once into shard caches that merge into one cache equal to a single-process writeCache', async () => {
    const images = await writeTestImages(join(dir, 'images'), { count: 30, size: 16, seed: 3 });
    await writeFile(join(dir, 'broken.png'), 'not an image');
    const items = [
      ...images.slice(0, 12),
      { id: 'broken', source: join(dir, 'broken.png'), label: 1 },
      ...images.slice(12),
    ];
    const payload: CachePayload = { resize: { size: 8, mode: 'pad' }, quality: 85, classes: CLASSES };
    const report = await cacheRun('cache-1', items as DatasetItem[], payload);
    expect(report.completed).toBe(3);
    expect(report.quarantined.map((item) => [item.id, item.code])).toEqual([['broken', 'not-an-image']]);
    expect(report.shards.every((shard) => shard.files.includes(CACHE_FOLDER))).toBe(true);

    const merged = await mergeCaches(report);
    expect(merged.cache).toMatchObject({
      size: [8, 8],
      channels: 3,
      imageFormat: 'jpeg',
      quality: 85,
      quarantined: 1,
    });
    expect(merged.vocabulary?.names).toEqual(CLASSES);
    expect(merged.items.map((item) => item.id)).toEqual(images.map((item) => item.id));
    expect(merged.items.map((item) => item.label)).toEqual(images.map((item) => item.label));
    expect(await openCache(join(dir, 'cache-1'))).toBeDefined();
    const quarantine = await readFile(join(dir, 'cache-1', 'quarantine.jsonl'), 'utf8');
    expect(JSON.parse(quarantine.trim())).toMatchObject({ id: 'broken', code: 'not-an-image' });

    // The reference: writeCache of the whole listing in one process, same options.
    const single = await writeCache(
      createDataset(items as DatasetItem[], { vocabulary: new ClassVocabulary(CLASSES) }),
      { dir: join(dir, 'single'), resize: { size: 8, mode: 'pad' }, quality: 85, workers: 0 },
    );
    expect(single.dataset.items.map((item) => item.id)).toEqual(merged.items.map((item) => item.id));
    for (let i = 0; i < merged.items.length; i++) {
      const a = await readFile(merged.items[i]!.source as string);
      const b = await readFile(single.dataset.items[i]!.source as string);
      expect(Buffer.compare(a, b)).toBe(0);
    }
    const first = await decodeImage(merged.items[0]!.source);
    expect([first.width, first.height, first.channels]).toEqual([8, 8, 3]);
  });

  it('merges raw caches too, and refuses shard caches that disagree', async () => {
    const items = await writeTestImages(join(dir, 'raw-images'), { count: 9, size: 16, seed: 4 });
    const report = await cacheRun('cache-raw', items as DatasetItem[], {
      resize: { size: 4 },
      format: 'raw',
      shardSize: 2,
      classes: CLASSES,
    });
    const merged = await mergeCaches(report, { dir: join(dir, 'raw-merged') });
    expect(merged.cache.imageFormat).toBe('raw');
    expect(merged.items.map((item) => item.id)).toEqual(items.map((item) => item.id));
    for (const [i, item] of merged.items.entries()) {
      const direct = await decodeImage(items[i]!.source!, { resize: { size: 4 } });
      expect([...(await decodeImage(item.source)).data]).toEqual([...direct.data]);
    }

    const shardManifest = join(report.shards[1]!.dir, CACHE_FOLDER, 'cache.json');
    const manifest = JSON.parse(await readFile(shardManifest, 'utf8'));
    await writeFile(shardManifest, JSON.stringify({ ...manifest, height: 5 }));
    await expect(mergeCaches(report, { dir: join(dir, 'raw-merged-2') })).rejects.toThrow(
      'Error in mergeCaches: report.shards[1] must be a cache with the same height as the other shards, got "5"',
    );
  });

  it('fails a run with an unusable payload at once, with the reason', async () => {
    const items = await writeTestImages(join(dir, 'payload-images'), { count: 3, seed: 5 });
    const report = await cacheRun(
      'cache-bad',
      items as DatasetItem[],
      { resize: { size: 8, mode: 'random-crop' }, classes: CLASSES },
      1,
    );
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]!.reason).toContain('options.resize.mode must be squish, center-crop or pad');
    expect(report.shards[0]!.attempts).toBe(1);
    const noResize = await cacheRun('cache-bad-2', items as DatasetItem[], {} as never, 1);
    expect(noResize.failures[0]!.reason).toBe(
      'cache payload must be { resize, format?, quality?, ... }, got {}',
    );
    // Labelled items without the class names cannot be listed either.
    const noClasses = await cacheRun('cache-bad-3', items as DatasetItem[], { resize: { size: 8 } }, 1);
    expect(noClasses.failures[0]!.reason).toBe(
      'shard 0 cannot be listed: Error in createDataset: items[0].label must be a class index in [0, 0) with a vocabulary, got 0',
    );
    await expect(mergeCaches(noResize)).rejects.toThrow(
      'report must be a run with at least one completed shard',
    );
    expect(() => createCacheHandler({ decodeWorkers: -1 })).toThrow(
      'Error in createCacheHandler: options.decodeWorkers must be an integer >= 0, got -1',
    );
  });
});
