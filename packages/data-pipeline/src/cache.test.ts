import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ClassVocabulary, InvalidArgumentError } from '@topk/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatchStream } from './batch-stream.js';
import { createDataset } from './dataset.js';
import { openCache } from './open-cache.js';
import type { ResizeOptions } from './resize-plan.js';
import { pixels, png, tempDir } from './test-fixtures.js';
import type { Dataset } from './types.js';
import { writeCache } from './write-cache.js';

async function streamed(dataset: Dataset, resize: ResizeOptions): Promise<number[]> {
  const out: number[] = [];
  for await (const batch of createBatchStream(dataset, { batchSize: 4, resize, workers: 0 })) {
    out.push(...(await batch.images.data()));
    tf.dispose([batch.images, ...(batch.labels ? [batch.labels] : [])]);
  }
  return out;
}

describe('writeCache and openCache', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let dataset: Dataset;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    ({ dir, cleanup } = await tempDir());
    await mkdir(join(dir, 'src'));
    const items = [];
    for (let i = 0; i < 5; i++) {
      const path = join(dir, 'src', `p${i}.png`);
      await writeFile(path, await png(pixels(12, 8, 3, (x, y) => [x * 20, y * 30, i * 50])));
      items.push({
        id: `item/${i}`,
        source: path,
        labels: i % 2 ? [0, 2] : [1],
        group: `g${i >> 1}`,
        ...(i === 4 ? { box: { left: 0, top: 0, width: 6, height: 8 } } : {}),
      });
    }
    items.push({ id: 'broken', source: join(dir, 'src', 'missing.png'), labels: [0], group: 'g9' });
    dataset = createDataset(items, { vocabulary: new ClassVocabulary(['x', 'y', 'z']), multiLabel: true });
  });
  afterAll(() => cleanup());

  it('raw shards give back exactly the pixels of a direct stream', async () => {
    const cacheDir = join(dir, 'raw');
    const report = await writeCache(dataset, {
      dir: cacheDir,
      resize: { size: 4, mode: 'pad' },
      format: 'raw',
      shardSize: 2,
      workers: 0,
    });
    expect(report.listed).toBe(6);
    expect(report.quarantined.map((q) => [q.id, q.code])).toEqual([['broken', 'missing']]);
    const cached = (await openCache(cacheDir))!;
    expect(cached.cache).toMatchObject({
      imageFormat: 'raw',
      size: [4, 4],
      channels: 3,
      quality: null,
      quarantined: 1,
    });
    expect(cached.vocabulary!.names).toEqual(['x', 'y', 'z']);
    expect(cached.multiLabel).toBe(true);
    expect(cached.items.map((item) => [item.id, item.labels, item.group, item.box])).toEqual([
      ['item/0', [1], 'g0', undefined],
      ['item/1', [0, 2], 'g0', undefined],
      ['item/2', [1], 'g1', undefined],
      ['item/3', [0, 2], 'g1', undefined],
      ['item/4', [1], 'g2', undefined],
    ]);
    // Three shards of at most 2 records of 4 × 4 × 3 bytes.
    expect((await readFile(join(cacheDir, 'shards', 'shard-00002.u8'))).length).toBe(48);
    const direct = createDataset(dataset.items.slice(0, 5), {
      vocabulary: dataset.vocabulary!,
      multiLabel: true,
    });
    // The cache holds the padded images: streamed at their size they pass through unchanged.
    expect(await streamed(cached, { size: 4 })).toEqual(await streamed(direct, { size: 4, mode: 'pad' }));
    // Streaming at another size resizes the cached pixels again.
    expect((await streamed(cached, { size: 2 })).length).toBe(5 * 2 * 2 * 3);
    const quarantine = (await readFile(join(cacheDir, 'quarantine.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(quarantine).toEqual([report.quarantined[0]]);
  });

  it('JPEG files at the requested quality, close to the direct pixels', async () => {
    const cacheDir = join(dir, 'jpeg');
    const { dataset: cached } = await writeCache(dataset, {
      dir: cacheDir,
      resize: { size: 8 },
      quality: 85,
      workers: 1,
    });
    expect(cached.cache).toMatchObject({ imageFormat: 'jpeg', size: [8, 8], quality: 85 });
    const first = cached.items[0]!.source as string;
    expect(first).toBe(`${cacheDir}/images/0/0.jpg`);
    expect((await sharp(first).metadata()).format).toBe('jpeg');
    const direct = createDataset(dataset.items.slice(0, 5), {
      vocabulary: dataset.vocabulary!,
      multiLabel: true,
    });
    const a = await streamed(cached, { size: 8 });
    const b = await streamed(direct, { size: 8 });
    const meanError = a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length;
    expect(meanError).toBeLessThan(0.03); // under 8 grey levels on average at quality 85
  });

  it('opens nothing where no complete cache is, and refuses random crops and bad options', async () => {
    expect(await openCache(join(dir, 'src'))).toBeUndefined();
    const make = (options: object) =>
      writeCache(dataset, { dir: join(dir, 'bad'), resize: { size: 4 }, workers: 0, ...options });
    await expect(make({ resize: { size: 4, mode: 'random-crop' } })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(make({ quality: 101 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(make({ channels: 4 })).rejects.toThrow(/JPEG has no alpha/);
    await expect(make({ format: 'png' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(make({ shardSize: 0, format: 'raw' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await mkdir(join(dir, 'bad'));
    await writeFile(join(dir, 'bad', 'cache.json'), '{"format":"other"}');
    await expect(openCache(join(dir, 'bad'))).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
