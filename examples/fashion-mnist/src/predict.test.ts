import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { expectNoLeaks } from '@topk/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageSet } from './data.js';
import { accuracy, predictWithTta } from './predict.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('accuracy', () => {
  it('counts rows whose top class is the label (worked example)', () => {
    // Rows: top class 1 (label 1, right), 0 (label 2, wrong), 2 (label 2, right): 2 / 3.
    const probs = Float32Array.from([0.2, 0.7, 0.1, 0.5, 0.1, 0.4, 0.1, 0.1, 0.8]);
    expect(accuracy(probs, [1, 2, 2], 3)).toBeCloseTo(2 / 3, 12);
    expect(() => accuracy(probs, [1, 2], 3)).toThrow(
      'Error in accuracy: probs must be 2 rows of 3 probabilities, got "9 values"',
    );
    expect(() => accuracy(new Float32Array(0), [], 3)).toThrow(/labels must be at least one label/);
  });
});

describe('predictWithTta', () => {
  // A model whose logit for class 0 is the left half's mean pixel minus the right half's (after the
  // standardisation, whose offset cancels), and 0 for class 1: flipping swaps the halves, so the flip
  // view's logit is the negative of the plain one.
  function halvesModel(): tfl.LayersModel {
    const kernel = new Float32Array(28 * 28 * 2);
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) kernel[(r * 28 + c) * 2] = c < 14 ? 1 / 392 : -1 / 392;
    }
    const model = tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape: [28, 28, 1] }),
        tfl.layers.dense({ units: 2, useBias: false }),
      ],
    });
    model.layers[1]!.setWeights([tf.tensor2d(kernel, [784, 2])]);
    return model;
  }

  it('averages the plain and mirrored views, in batches, without leaks', async () => {
    const model = halvesModel();
    // Image 0: left half 255, right half 0; image 1: blank; image 2: right half 255.
    const images = new Uint8Array(3 * 784);
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 14; c++) {
        images[r * 28 + c] = 255;
        images[2 * 784 + r * 28 + 14 + c] = 255;
      }
    }
    const set: ImageSet = { images, labels: Uint8Array.from([0, 0, 1]), count: 3 };
    const result = await expectNoLeaks(() =>
      predictWithTta(model, set, { policy: { kind: 'flips' }, size: 28, batchSize: 2 }),
    );
    // Logit of class 0 for image 0: (1 − 0) / 0.353 · (392 / 392) = 2.8329; softmax → σ(2.8329) = 0.94446.
    const z = 1 / 0.353;
    const sigma = 1 / (1 + Math.exp(-z));
    const expectedPlain = [sigma, 1 - sigma, 0.5, 0.5, 1 - sigma, sigma];
    for (const [i, p] of result.plain.entries()) expect(p).toBeCloseTo(expectedPlain[i]!, 5);
    // With the flip, every image's class-0 probability is (σ(z) + σ(−z)) / 2 = 0.5.
    for (const p of result.tta) expect(p).toBeCloseTo(0.5, 5);
    expect(accuracy(result.plain, set.labels, 2)).toBeCloseTo(1, 12);
    model.dispose();
    await expect(
      predictWithTta(model, set, { policy: { kind: 'flips' }, size: 28, batchSize: 0 }),
    ).rejects.toThrow('Error in predictWithTta: batchSize must be a positive integer, got 0');
  });
});
