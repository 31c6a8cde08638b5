import * as tf from '@tensorflow/tfjs-core';
import { Rng, selectBackend } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { arrayBatches } from './array-batches.js';
import { Learner } from './learner.js';
import { resizeBatches } from './resize-batches.js';
import { sgd } from './sgd.js';
import { expectInvalid, learnableData, tinyCnn, weightsOf } from './test-helpers.js';
import type { Batch, EpochData } from './types.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
});

describe('resizeBatches (progressive resizing)', () => {
  it('continues training the same model at a larger size from a given epoch', async () => {
    const { images, labels } = learnableData(24, 64, 3, 12);
    const base = arrayBatches(images, labels, [8, 8, 1], { batchSize: 8, shuffle: true, seed: 12 });
    const resized = resizeBatches(base, (epoch) => (epoch < 2 ? 4 : [8, 8]));
    expect(resized.batchesPerEpoch).toBe(3);
    // Record what the model is fed.
    const seen: string[] = [];
    const recorded: EpochData = Object.assign(
      async function* (epoch: number, rng: Rng) {
        for await (const batch of resized(epoch, rng)) {
          seen.push(`${epoch}:${batch.images.shape.slice(1, 3).join('x')}`);
          yield batch;
        }
      },
      { batchesPerEpoch: 3 },
    );
    // A fully convolutional body with global pooling takes any size.
    const learner = new Learner({
      model: tinyCnn({ size: null }),
      train: recorded,
      optimizer: sgd({ learningRate: 0.1 }),
    });
    let beforeLarge: Float32Array[] = [];
    const { history } = await learner.fitOneCycle(3, 0.1, {
      callbacks: [
        {
          name: 'grab',
          onEpochEnd: ({ epoch }) => {
            if (epoch === 1) beforeLarge = weightsOf(learner.model);
          },
        },
      ],
    });
    expect(seen).toEqual(['0:4x4', '0:4x4', '0:4x4', '1:4x4', '1:4x4', '1:4x4', '2:8x8', '2:8x8', '2:8x8']);
    expect(history.every((h) => Number.isFinite(h.loss))).toBe(true);
    expect(weightsOf(learner.model)).not.toEqual(beforeLarge);
    learner.model.dispose();
  });

  it('resizes bilinearly, passes batches already at the size through, and disposes the originals', async () => {
    const pixels = Float32Array.from({ length: 2 * 4 * 4 }, (_, i) => i);
    const base = arrayBatches(pixels, [0, 1], [4, 4, 1], { batchSize: 2 });
    const before = tf.memory().numTensors;
    const batches: Batch[] = [];
    for await (const b of resizeBatches(base, () => 2)(0, new Rng(0))) batches.push(b);
    expect(batches[0]!.images.shape).toEqual([2, 2, 2, 1]);
    const want = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(pixels, [2, 4, 4, 1]), [2, 2]).dataSync());
    expect(Array.from(batches[0]!.images.dataSync())).toEqual(Array.from(want));
    // Only the resized images and the labels are alive.
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([batches[0]!.images, batches[0]!.labels!]);
    const same: Batch[] = [];
    for await (const b of resizeBatches(base, () => [4, 4])(0, new Rng(0))) same.push(b);
    expect(same[0]!.images.shape).toEqual([2, 4, 4, 1]);
    tf.dispose([same[0]!.images, same[0]!.labels!]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad arguments', async () => {
    expectInvalid(() => resizeBatches(3 as never, () => 2), 'resizeBatches', 'data');
    expectInvalid(() => resizeBatches(() => [], 2 as never), 'resizeBatches', 'size');
    const source = resizeBatches(
      () => [],
      () => 0,
    );
    await expect(source(0, new Rng(0))[Symbol.asyncIterator as never]).toBeDefined();
    let caught: unknown;
    try {
      for await (const _ of source(0, new Rng(0)) as AsyncIterable<Batch>) break;
    } catch (error) {
      caught = error;
    }
    expect(String(caught)).toMatch(
      /Error in resizeBatches: size\(0\) must be a positive integer or \[height, width\]/,
    );
  });
});
