import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ClassVocabulary, InvalidArgumentError, Rng, TopkError } from '@topk/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBatchStream, type StreamBatch } from './batch-stream.js';
import { createDataset } from './dataset.js';
import { createDecodePool, type DecodePool } from './decode-pool.js';
import type { QuarantinedItem } from './image-decode-error.js';
import type { ImageDecoder } from './image-decoder.js';
import { mPerClassSampler } from './m-per-class-sampler.js';
import type { ResizeMode } from './resize-plan.js';
import { createSharpDecoder } from './sharp-decoder.js';
import { shuffledSampler } from './shuffled-sampler.js';
import { type Corpus, pixels, png, solid, tempDir, writeCorpus } from './test-fixtures.js';
import type { Dataset, DatasetItem } from './types.js';

const vocabulary = new ClassVocabulary(['even', 'odd']);
/** Image i is solid (10 i, 20 i, 30 i) / 2, 4 × 4 — a solid image resizes to exactly its colour. */
const colour = (i: number): [number, number, number] => [5 * i, 10 * i, 15 * i];

interface Collected {
  readonly ids: readonly string[];
  readonly images: number[];
  readonly shape: readonly number[];
  readonly labels: number[] | undefined;
  readonly index: number;
  readonly epoch: number;
}

/** Reads a batch into plain arrays and disposes its tensors. */
async function collect(batch: StreamBatch): Promise<Collected> {
  const out = {
    ids: batch.ids,
    images: Array.from(await batch.images.data()),
    shape: batch.images.shape,
    labels: batch.labels ? Array.from(await batch.labels.data()) : undefined,
    index: batch.index,
    epoch: batch.epoch,
  };
  tf.dispose([batch.images, ...(batch.labels ? [batch.labels] : [])]);
  return out;
}

async function all(batches: AsyncIterable<StreamBatch>): Promise<Collected[]> {
  const out: Collected[] = [];
  for await (const batch of batches) out.push(await collect(batch));
  return out;
}

describe('createBatchStream', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let corpus: Corpus;
  let dataset: Dataset;
  let pool: DecodePool;
  beforeAll(async () => {
    pool = await createDecodePool({ workers: 2 });
    await tf.setBackend('cpu');
    ({ dir, cleanup } = await tempDir());
    corpus = await writeCorpus(join(dir, 'corpus'));
    const items: DatasetItem[] = [];
    for (let i = 0; i < 10; i++) {
      const path = join(dir, `img${i}.png`);
      await writeFile(path, await png(solid(4, 4, colour(i))));
      items.push({ id: `img${i}`, source: path, label: i % 2 });
    }
    dataset = createDataset(items, { vocabulary });
  }, 60_000);
  afterAll(async () => {
    await pool.close();
    await cleanup();
  });

  it('stacks normalised images, int32 labels and ids, in listed order', async () => {
    const stream = createBatchStream(dataset, {
      batchSize: 4,
      resize: { size: 2 },
      normalize: { mean: [0.5], std: [0.25] },
      workers: 0,
    });
    expect(stream.batchesPerEpoch).toBe(3);
    const batches = await all(stream.epoch(0));
    expect(batches.map((b) => [b.index, b.shape])).toEqual([
      [0, [4, 2, 2, 3]],
      [1, [4, 2, 2, 3]],
      [2, [2, 2, 2, 3]],
    ]);
    expect(batches.flatMap((b) => b.ids)).toEqual(dataset.items.map((item) => item.id));
    expect(batches.flatMap((b) => b.labels!)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    // Image 5 is the second of batch 1; every pixel is (v / 255 - 0.5) / 0.25 for v in (25, 50, 75).
    const second = batches[1]!.images.slice(12, 24);
    const expected = colour(5).map((v) => (v / 255 - 0.5) / 0.25);
    second.forEach((value, k) => {
      expect(value).toBeCloseTo(expected[k % 3]!, 5);
    });
  });

  it('gives the same batches with worker threads (a shared pool) as in this thread', async () => {
    const options = {
      batchSize: 3,
      resize: { size: 3, mode: 'pad' as const, fill: 0 },
      normalize: { mean: [0.2, 0.3, 0.4], std: [0.5, 0.6, 0.7] },
    };
    const inThread = await all(createBatchStream(dataset, { ...options, workers: 0 }).epoch(0));
    const stream = createBatchStream(dataset, { ...options, pool });
    const viaWorkers = await all(stream.epoch(0));
    await stream.close(); // a shared pool stays open
    expect(viaWorkers).toEqual(inThread);
    expect(await all(createBatchStream(dataset, { ...options, pool }).epoch(0))).toEqual(inThread);
  });

  it('streams decoded pixels (views into one buffer, as IDX files give) through workers', async () => {
    const buffer = new Uint8Array(6 * 4);
    for (let i = 0; i < 6; i++) buffer.fill(i * 40, i * 4, i * 4 + 4);
    const idxLike = createDataset(
      Array.from({ length: 6 }, (_, i) => ({
        id: `d${i}`,
        source: { data: buffer.subarray(i * 4, i * 4 + 4), width: 2, height: 2, channels: 1 },
        label: i % 2,
      })),
      { vocabulary },
    );
    const [batch] = await all(
      createBatchStream(idxLike, { batchSize: 6, resize: { size: 2 }, channels: 1, pool }).epoch(0),
    );
    expect(batch!.shape).toEqual([6, 2, 2, 1]);
    batch!.images.forEach((v, k) => {
      expect(v).toBeCloseTo((Math.floor(k / 4) * 40) / 255, 6);
    });
  });

  it('gives float32 multi-hot labels for multi-label data, and group ids', async () => {
    const multi = createDataset(
      dataset.items.slice(0, 3).map((item, i) => ({
        id: item.id,
        source: item.source,
        labels: [[0], [0, 2], []][i]!,
        group: `p${i >> 1}`,
      })),
      { vocabulary: new ClassVocabulary(['a', 'b', 'c']), multiLabel: true },
    );
    const stream = createBatchStream(multi, { batchSize: 3, resize: { size: 1 }, workers: 0 });
    for await (const batch of stream) {
      expect(batch.labels!.dtype).toBe('float32');
      expect(batch.labels!.shape).toEqual([3, 3]);
      expect(Array.from(await batch.labels!.data())).toEqual([1, 0, 0, 1, 0, 1, 0, 0, 0]);
      expect(batch.groups).toEqual(['p0', 'p0', 'p1']);
      tf.dispose([batch.images, batch.labels!]);
    }
  });

  it('produces the requested size for every resize mode', async () => {
    const modes: ResizeMode[] = ['squish', 'center-crop', 'random-crop', 'pad', 'random-resized-crop'];
    for (const mode of modes) {
      const stream = createBatchStream(dataset, {
        batchSize: 10,
        resize: { size: [3, 5], mode },
        rng: new Rng(0),
        workers: 0,
      });
      const [batch] = await all(stream.epoch(0));
      expect(batch!.shape).toEqual([10, 3, 5, 3]);
    }
  });

  it('quarantines bad files, reports each once, and keeps batch positions', async () => {
    const bad = [corpus.truncatedJpeg, corpus.empty, corpus.text, corpus.huge, corpus.missing, corpus.folder];
    const items: DatasetItem[] = [];
    dataset.items.slice(0, 6).forEach((item, i) => {
      items.push(item);
      items.push({ id: `bad${i}`, source: bad[i]!, label: 0 });
    });
    items.push(
      { id: 'cmyk', source: corpus.cmykJpeg, label: 1 },
      { id: '16bit', source: corpus.png16, label: 1 },
    );
    const mixed = createDataset(items, { vocabulary });
    const reported: QuarantinedItem[] = [];
    const stream = createBatchStream(mixed, {
      batchSize: 4,
      resize: { size: 2 },
      workers: 1,
      onQuarantine: (q) => reported.push(q),
    });
    const first = await all(stream);
    const second = await all(stream);
    await stream.close();
    for (const epoch of [first, second]) {
      expect(epoch.map((b) => [b.index, b.ids])).toEqual([
        [0, ['img0', 'img1']],
        [1, ['img2', 'img3']],
        [2, ['img4', 'img5']],
        [3, ['cmyk', '16bit']],
      ]);
    }
    expect(reported.map((q) => [q.id, q.code])).toEqual([
      ['bad0', 'truncated'],
      ['bad1', 'empty'],
      ['bad2', 'not-an-image'],
      ['bad3', 'too-large'],
      ['bad4', 'missing'],
      ['bad5', 'unreadable'],
    ]);
    expect(reported[4]!.path).toBe(corpus.missing);
    expect(stream.quarantined).toEqual(reported);
    expect(stream.stats).toEqual({ batches: 8, images: 16, quarantined: 6 });
  });

  it('follows the sampler, reshuffling each epoch, and continues after a break', async () => {
    const sampler = shuffledSampler(10, { rng: new Rng(42) });
    const stream = createBatchStream(dataset, { batchSize: 4, resize: { size: 1 }, sampler, workers: 0 });
    const ids = (epoch: number) => Array.from(sampler.indices(epoch), (i) => dataset.items[i]!.id);
    const epoch0 = await all(stream);
    expect(epoch0.flatMap((b) => b.ids)).toEqual(ids(0));
    expect(stream.getState()).toMatchObject({ epoch: 1, batch: 0 });
    const partial: Collected[] = [];
    for await (const batch of stream) {
      partial.push(await collect(batch));
      break;
    }
    expect(stream.getState()).toMatchObject({ epoch: 1, batch: 1 });
    const rest = await all(stream);
    expect([...partial, ...rest].flatMap((b) => b.ids)).toEqual(ids(1));
    expect(ids(1)).not.toEqual(ids(0));
  });

  it('resumes mid-epoch with the same order and the same random crops', async () => {
    const gradients = createDataset(
      await Promise.all(
        Array.from({ length: 12 }, async (_, i) => {
          const path = join(dir, `gradient${i}.png`);
          await writeFile(path, await png(pixels(16, 12, 3, (x, y) => [x * 15, y * 20, i * 20])));
          return { id: `g${i}`, source: path, label: i % 2 };
        }),
      ),
      { vocabulary },
    );
    const make = () =>
      createBatchStream(gradients, {
        batchSize: 3,
        resize: { size: 4, mode: 'random-resized-crop' },
        sampler: shuffledSampler(12, { rng: new Rng(1).split('sampler') }),
        rng: new Rng(1).split('resize'),
        workers: 0,
      });
    const whole = await all(make().epoch(2));
    const interrupted = make();
    const seen: Collected[] = [];
    for await (const batch of interrupted.epoch(2)) {
      seen.push(await collect(batch));
      if (seen.length === 2) break;
    }
    const checkpoint = JSON.parse(JSON.stringify(interrupted.getState()));
    expect(checkpoint).toMatchObject({ epoch: 2, batch: 2 });
    // A new process: a stream built from other seeds, restored from the checkpoint.
    const resumed = createBatchStream(gradients, {
      batchSize: 3,
      resize: { size: 4, mode: 'random-resized-crop' },
      sampler: shuffledSampler(12, { rng: new Rng(99) }),
      rng: new Rng(98),
      workers: 0,
    });
    resumed.setState(checkpoint);
    const rest = await all(resumed);
    expect([...seen, ...rest]).toEqual(whole);
    // Crops differ between epochs.
    expect((await all(make().epoch(3))).flatMap((b) => b.images)).not.toEqual(whole.flatMap((b) => b.images));
  });

  it('resizes progressively by epoch', async () => {
    const stream = createBatchStream(dataset, {
      batchSize: 10,
      resize: { size: 8 },
      sizeSchedule: [
        { epoch: 0, size: 2 },
        { epoch: 2, size: [3, 4] },
      ],
      workers: 0,
    });
    expect(stream.imageSize(1)).toEqual([2, 2]);
    expect((await all(stream.epoch(1)))[0]!.shape).toEqual([10, 2, 2, 3]);
    expect((await all(stream.epoch(2)))[0]!.shape).toEqual([10, 3, 4, 3]);
  });

  it('decodes at most prefetch batches ahead of the consumer', async () => {
    let started = 0;
    let active = 0;
    let mostActive = 0;
    const sharp = createSharpDecoder();
    const slow: ImageDecoder = {
      name: 'slow',
      async decode(input, request) {
        started++;
        active++;
        mostActive = Math.max(mostActive, active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        active--;
        return sharp.decode(input, request);
      },
    };
    const stream = createBatchStream(dataset, {
      batchSize: 2,
      resize: { size: 1 },
      prefetch: 2,
      workers: 0,
      decoder: slow,
    });
    const iterator = stream.epoch(0);
    const first = await iterator.next();
    await collect(first.value as StreamBatch);
    // Batch 0 was consumed; batches 1 and 2 are decoded ahead; batch 3 waits for the next request.
    await vi.waitFor(() => expect(started).toBe(6), { timeout: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(started).toBe(6);
    await iterator.return(undefined);
    expect(mostActive).toBeLessThanOrEqual(4);
  });

  it('leaves no tensors behind, also when the consumer stops early', async () => {
    const before = tf.memory().numTensors;
    await all(createBatchStream(dataset, { batchSize: 3, resize: { size: 2 }, workers: 0 }).epoch(0));
    expect(tf.memory().numTensors).toBe(before);
    for await (const batch of createBatchStream(dataset, { batchSize: 3, resize: { size: 2 }, workers: 0 })) {
      tf.dispose([batch.images, batch.labels!]);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad options', () => {
    const make = (options: object) => () =>
      createBatchStream(dataset, { batchSize: 2, resize: { size: 2 }, ...options });
    expect(make({ batchSize: 0 })).toThrow(InvalidArgumentError);
    expect(make({ resize: { size: 2, mode: 'random-crop' } })).toThrow(/options.rng must be an Rng/);
    expect(make({ sampler: shuffledSampler(3, { rng: new Rng(0) }) })).toThrow(
      /sampler over the dataset's 10 items/,
    );
    expect(make({ sampler: mPerClassSampler(dataset, { m: 2, batchSize: 4, rng: new Rng(0) }) })).toThrow(
      /sampler's batch size \(4\)/,
    );
    expect(make({ normalize: { mean: [0, 0], std: [1] } })).toThrow(InvalidArgumentError);
    expect(make({ workers: -1 })).toThrow(InvalidArgumentError);
    expect(make({ prefetch: 0 })).toThrow(InvalidArgumentError);
    expect(make({ channels: 2 })).toThrow(InvalidArgumentError);
    expect(make({ sizeSchedule: [{ epoch: 1, size: 2 }] })).toThrow(InvalidArgumentError);
    expect(() => createBatchStream({} as Dataset, { batchSize: 1, resize: { size: 1 } })).toThrow(
      InvalidArgumentError,
    );
    const stream = createBatchStream(dataset, { batchSize: 2, resize: { size: 2 }, workers: 0 });
    expect(() =>
      stream.setState({ epoch: 0, batch: 9, sampler: { kind: 'sequential', rng: null }, resizeRng: null }),
    ).toThrow(InvalidArgumentError);
    expect(() =>
      stream.setState({ epoch: 0, batch: 0, sampler: { kind: 'shuffled', rng: null }, resizeRng: null }),
    ).toThrow(InvalidArgumentError);
  });

  it('refuses to run once closed', async () => {
    const stream = createBatchStream(dataset, { batchSize: 2, resize: { size: 2 }, workers: 0 });
    await stream.close();
    await expect(stream.epoch(0).next()).rejects.toBeInstanceOf(TopkError);
  });
});
