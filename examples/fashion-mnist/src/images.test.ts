import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { horizontalFlip } from '@topk/augmentations';
import { Rng } from '@topk/core';
import { expectNoLeaks } from '@topk/core/testing';
import { arrayBatches, type Batch } from '@topk/training';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  augmentedBatches,
  FASHION_MNIST_MEAN,
  FASHION_MNIST_STD,
  imageTensor,
  prepareImages,
} from './images.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('prepareImages', () => {
  it('standardises with the Fashion-MNIST mean and std, resizing only when asked', () => {
    const images = tf.tensor4d([0, 1, 0.286, 0.639], [1, 2, 2, 1]);
    const same = prepareImages(images, 2);
    // (x − 0.286) / 0.353: 0 → −0.8102, 1 → 2.0227, 0.286 → 0, 0.639 → 1.
    const expected = [-0.286 / 0.353, 0.714 / 0.353, 0, 1];
    for (const [i, v] of same.dataSync().entries()) expect(v).toBeCloseTo(expected[i]!, 5);
    // A constant image stays constant through bilinear resizing.
    const flat = tf.fill([2, 28, 28, 1], FASHION_MNIST_MEAN + FASHION_MNIST_STD) as tf.Tensor4D;
    const resized = prepareImages(flat, 32);
    expect(resized.shape).toEqual([2, 32, 32, 1]);
    for (const v of resized.dataSync()) expect(v).toBeCloseTo(1, 5);
    tf.dispose([images, same, flat, resized]);
    expect(() => prepareImages(images, 0)).toThrow(
      'Error in prepareImages: size must be a positive integer, got 0',
    );
  });

  it('imageTensor scales a slice of the bytes to [0, 1]', () => {
    const bytes = new Uint8Array(3 * 784).map((_, i) => (i < 784 ? 0 : i < 2 * 784 ? 255 : 51));
    const t = imageTensor(bytes, 1, 2);
    expect(t.shape).toEqual([2, 28, 28, 1]);
    const v = t.dataSync();
    expect(v[0]).toBe(1);
    expect(v[784]).toBeCloseTo(0.2, 6);
    t.dispose();
  });
});

describe('augmentedBatches', () => {
  const n = 20;
  const pixels = new Uint8Array(n * 784).map((_, i) => (i * 7) % 256);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);

  it('yields prepared images with int labels without mixup and soft targets with it', async () => {
    const source = () => arrayBatches(pixels, labels, [28, 28, 1], { batchSize: 8, shuffle: true, seed: 1 });
    const plain = augmentedBatches(source(), {
      transform: horizontalFlip({ p: 0.5 }),
      mixupAlpha: 0,
      numClasses: 10,
      size: 32,
    });
    expect(plain.batchesPerEpoch).toBe(3);
    await expectNoLeaks(async () => {
      const batches = [...(plain(0, new Rng(1)) as Iterable<Batch>)];
      expect(batches.map((b) => b.images.shape)).toEqual([
        [8, 32, 32, 1],
        [8, 32, 32, 1],
        [4, 32, 32, 1],
      ]);
      expect(batches.map((b) => b.labels!.dtype)).toEqual(['int32', 'int32', 'int32']);
      for (const b of batches) tf.dispose([b.images, b.labels!]);
    });
    const mixed = augmentedBatches(source(), {
      transform: horizontalFlip({ p: 0.5 }),
      mixupAlpha: 0.4,
      numClasses: 10,
      size: 28,
    });
    await expectNoLeaks(async () => {
      const draw = () => [...(mixed(0, new Rng(1)) as Iterable<Batch>)];
      const a = draw();
      const b = draw();
      for (const [i, batch] of a.entries()) {
        expect(batch.labels!.shape).toEqual([batch.images.shape[0], 10]);
        // Soft targets: each row sums to 1 (λ·one-hot + (1 − λ)·one-hot).
        const rows = tf.sum(batch.labels!, 1);
        for (const s of rows.dataSync()) expect(s).toBeCloseTo(1, 5);
        rows.dispose();
        // The same epoch and generator give the same batch.
        expect(Array.from(batch.images.dataSync())).toEqual(Array.from(b[i]!.images.dataSync()));
      }
      for (const batch of [...a, ...b]) tf.dispose([batch.images, batch.labels!]);
    });
  });

  it('rejects a negative mixup α', () => {
    const source = arrayBatches(pixels, labels, [28, 28, 1]);
    expect(() =>
      augmentedBatches(source, { transform: horizontalFlip(), mixupAlpha: -1, numClasses: 10, size: 28 }),
    ).toThrow('Error in augmentedBatches: mixupAlpha must be a number >= 0, got -1');
  });
});
