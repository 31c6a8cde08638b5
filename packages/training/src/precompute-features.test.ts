import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Rng, selectBackend } from '@topk/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayBatches } from './array-batches.js';
import { precomputeFeatures } from './precompute-features.js';
import { expectInvalidAsync, learnableData, seeded } from './test-helpers.js';
import { trainHeadOnFeatures } from './train-head-on-features.js';
import type { Batch, BatchSource } from './types.js';

const work = mkdtempSync(join(tmpdir(), 'topk-features-'));
beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A conv "backbone" whose output is rank 4, so precompute pools it. */
function backbone() {
  const init = seeded(30);
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [4, 4, 1],
        filters: 6,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(),
      }),
      tfl.layers.batchNormalization(),
    ],
  });
}

const { images, labels } = learnableData(24, 16, 3, 15);
const ids = Array.from({ length: 24 }, (_, i) => `s${i}`);
const source = (): BatchSource =>
  arrayBatches(images, labels, [4, 4, 1], { batchSize: 10, ids })(0, new Rng(0));
const flip = (x: tf.Tensor4D) => tf.reverse(x, 2);

describe('precomputeFeatures', () => {
  it('pools the backbone’s output in inference mode, with labels and ids in order', async () => {
    const model = backbone();
    const before = tf.memory().numTensors;
    const set = await precomputeFeatures(model, source());
    expect(tf.memory().numTensors).toBe(before);
    expect([set.count, set.dim, set.labelWidth]).toEqual([24, 6, 1]);
    expect(Array.from(set.labels!)).toEqual(Array.from(labels));
    expect(set.ids![23]).toBe('s23');
    const want = tf.tidy(() =>
      tf.mean(model.predict(tf.tensor4d(images, [24, 4, 4, 1])) as tf.Tensor, [1, 2]).dataSync(),
    );
    Array.from(want).forEach((v, i) => {
      expect(set.features[i]).toBeCloseTo(v, 5);
    });
    model.dispose();
  });

  it('averages TTA views (mean) or keeps each as a row with repeated labels (expand)', async () => {
    const model = backbone();
    const plain = await precomputeFeatures(model, source());
    const flipped = await precomputeFeatures(
      model,
      (function* () {
        for (const b of source() as Iterable<Batch>) {
          const images4 = flip(b.images as tf.Tensor4D);
          b.images.dispose();
          yield { ...b, images: images4 };
        }
      })(),
    );
    const mean = await precomputeFeatures(model, source(), { tta: [flip] });
    mean.features.forEach((v, i) => {
      expect(v).toBeCloseTo((plain.features[i]! + flipped.features[i]!) / 2, 5);
    });
    const expand = await precomputeFeatures(model, source(), { tta: [flip], ttaMode: 'expand' });
    expect(expand.count).toBe(48);
    // Per batch: its rows as they are, then its flipped rows.
    expect(Array.from(expand.features.subarray(0, 6))).toEqual(Array.from(plain.features.subarray(0, 6)));
    expect(Array.from(expand.features.subarray(60, 66))).toEqual(Array.from(flipped.features.subarray(0, 6)));
    expect(expand.labels!.length).toBe(48);
    model.dispose();
  });

  it('caches to Float32 binary plus JSON and reads the cache back for the same key', async () => {
    const model = backbone();
    const cache = join(work, 'cache', 'features');
    const first = await precomputeFeatures(model, source(), { cache, cacheKey: 'v1' });
    // The source is not touched when the cache is valid.
    const untouchable: BatchSource = {
      [Symbol.iterator]: () => {
        throw new Error('should not be read');
      },
    };
    const cached = await precomputeFeatures(model, untouchable, { cache, cacheKey: 'v1' });
    expect(cached).toEqual(first);
    await expect(precomputeFeatures(model, untouchable, { cache, cacheKey: 'v2' })).rejects.toThrow(
      'should not be read',
    );
    model.dispose();
  });

  it('rejects bad arguments', async () => {
    const model = backbone();
    await expectInvalidAsync(() => precomputeFeatures({} as never, []), 'precomputeFeatures', 'featureModel');
    await expectInvalidAsync(
      () => precomputeFeatures(model, [], { ttaMode: 'max' as never }),
      'precomputeFeatures',
      'ttaMode',
    );
    await expectInvalidAsync(() => precomputeFeatures(model, []), 'precomputeFeatures', 'data');
    await expectInvalidAsync(
      () => precomputeFeatures(model, [{ images: tf.zeros([2, 4]) }]),
      'precomputeFeatures',
      'batch.images',
    );
    model.dispose();
  });
});

describe('trainHeadOnFeatures', () => {
  it('trains a head on cached features for many cheap epochs', async () => {
    const model = backbone();
    const train = await precomputeFeatures(model, source());
    const init = seeded(40);
    const head = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [6], units: 3, kernelInitializer: init() })],
    });
    const { learner, result } = await trainHeadOnFeatures(head, train, {
      epochs: 30,
      maxLr: 0.1,
      batchSize: 8,
      valid: train,
    });
    expect(result.epochs).toBe(30);
    expect(result.history[29]!.valid_loss).toBeLessThan(result.history[0]!.valid_loss!);
    expect(learner.task).toBe('single-label');
    await expectInvalidAsync(
      () => trainHeadOnFeatures(head, train, { epochs: 1 }),
      'trainHeadOnFeatures',
      'options',
    );
    await expectInvalidAsync(
      () => trainHeadOnFeatures(head, { ...train, labels: undefined }, { epochs: 1, maxLr: 1 }),
      'trainHeadOnFeatures',
      'features',
    );
    head.dispose();
    model.dispose();
  });
});
