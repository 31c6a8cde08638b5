import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@topk/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkDataset,
  createBatchStream,
  dropRareLabels,
  fromCsv,
  fromFolder,
  openCache,
  shuffledSampler,
  stratifiedSplit,
  writeCache,
} from './index.js';
import { encode, pixels, png, solid, tempDir } from './test-fixtures.js';

/** The two flows of the README, end to end through the package's entry point, on a tiny corpus. */
describe('README examples', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(() => cleanup());

  it('a folder dataset: check, split, stream', async () => {
    const root = join(dir, 'train');
    for (const [c, name] of ['cat', 'dog'].entries()) {
      await mkdir(join(root, name), { recursive: true });
      for (let i = 0; i < 10; i++) {
        await writeFile(join(root, name, `${i}.png`), await png(solid(12 + i, 9, [c * 200, i * 20, 50])));
      }
    }
    await writeFile(join(root, 'dog', 'broken.jpg'), 'not an image');
    const rng = new Rng(42);
    const listed = await fromFolder(root);
    const report = await checkDataset(listed, { workers: 0 });
    expect(report.quarantined.map((q) => [q.id, q.code])).toEqual([['dog/broken.jpg', 'not-an-image']]);
    expect(report.used.length + report.quarantined.length).toBe(report.listed);
    const { train, valid } = stratifiedSplit(report.dataset, { validFraction: 0.2, rng: rng.split('split') });
    expect([train.items.length, valid.items.length]).toEqual([16, 4]);
    const stream = createBatchStream(train, {
      batchSize: 6,
      resize: { size: 8, mode: 'random-resized-crop' },
      normalize: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
      sampler: shuffledSampler(train.items.length, { rng: rng.split('sampler') }),
      rng: rng.split('resize'),
      workers: 0,
    });
    const before = tf.memory().numTensors;
    for (let epoch = 0; epoch < 2; epoch++) {
      const seen: string[] = [];
      for await (const { images, labels, ids } of stream) {
        expect(images.shape.slice(1)).toEqual([8, 8, 3]);
        expect(labels!.dtype).toBe('int32');
        seen.push(...ids);
        tf.dispose([images, labels!]);
      }
      expect(seen.sort()).toEqual(train.items.map((item) => item.id).sort());
    }
    expect(tf.memory().numTensors).toBe(before);
    await stream.close();
  });

  it('a multi-label CSV dataset: drop rare labels, cache, stream', async () => {
    const images = join(dir, 'fashion');
    await mkdir(images);
    const rows = ['image_id,labels'];
    for (let i = 0; i < 8; i++) {
      await writeFile(
        join(images, `${i}.jpg`),
        await encode(
          pixels(20, 10 + i, 3, (x) => [x * 12, i * 30, 90]),
          'jpeg',
        ),
      );
      rows.push(`${i},${['62 17', '17', '17 66', '62', '5', '17 62', '66', '17'][i]}`);
    }
    await writeFile(join(dir, 'train.csv'), `${rows.join('\n')}\n`);
    const listed = await fromCsv(join(dir, 'train.csv'), {
      idColumn: 'image_id',
      multiLabel: true,
      root: images,
      extension: '.jpg',
    });
    const dataset = dropRareLabels(listed, { minCount: 2 }); // "5" occurs once
    expect(dataset.vocabulary!.names).toEqual(['17', '62', '66']);
    const cacheDir = join(dir, 'cache');
    expect(await openCache(cacheDir)).toBeUndefined();
    const cached =
      (await openCache(cacheDir)) ??
      (
        await writeCache(dataset, {
          dir: cacheDir,
          resize: { size: 16, mode: 'pad' },
          quality: 85,
          workers: 0,
        })
      ).dataset;
    expect((await openCache(cacheDir))!.items).toEqual(cached.items);
    const rng = new Rng(7);
    const stream = createBatchStream(cached, {
      batchSize: 3,
      resize: { size: 12, mode: 'random-crop' },
      sampler: shuffledSampler(cached.items.length, { rng: rng.split('sampler') }),
      rng: rng.split('resize'),
      workers: 0,
    });
    let rowsSeen = 0;
    for await (const batch of stream) {
      expect(batch.labels!.shape).toEqual([batch.ids.length, 3]);
      expect(batch.images.shape.slice(1)).toEqual([12, 12, 3]);
      rowsSeen += batch.ids.length;
      batch.images.dispose();
      batch.labels!.dispose();
    }
    expect(rowsSeen).toBe(8);
  });
});
