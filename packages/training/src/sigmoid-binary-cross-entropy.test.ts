import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@topk/core';
import { expectNoLeaksSync } from '@topk/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { sigmoidBinaryCrossEntropy } from './sigmoid-binary-cross-entropy.js';
import { expectInvalid } from './test-helpers.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
});

describe('sigmoidBinaryCrossEntropy', () => {
  it('is the mean of −[y·log σ(z) + (1 − y)·log(1 − σ(z))] over samples and classes', () => {
    const z = [2, -1, 0, 30, -30, 0.5];
    const y = [1, 0, 1, 0, 0, 0.3];
    const logits = tf.tensor2d(z, [2, 3]);
    const labels = tf.tensor2d(y, [2, 3]);
    const loss = expectNoLeaksSync(() => sigmoidBinaryCrossEntropy()(labels, logits));
    const sigma = (v: number) => 1 / (1 + Math.exp(-v));
    // Direct formula in float64; log(1 − σ(30)) is computed as −30 − log(1 + e^−30) to stay finite.
    const terms = z.map((v, i) => {
      const logP = -Math.log1p(Math.exp(-v));
      const logQ = -v - Math.log1p(Math.exp(-v));
      return -(y[i]! * (v > -20 ? logP : Math.log(sigma(v))) + (1 - y[i]!) * logQ);
    });
    expect(loss.dataSync()[0]).toBeCloseTo(terms.reduce((a, b) => a + b) / 6, 5);
    expect(sigmoidBinaryCrossEntropy().task).toBe('multi-label');
    tf.dispose([logits, labels, loss]);
  });

  it('rejects labels that are not float [N, C] like the logits', () => {
    const logits = tf.tensor2d([[1, 2]]);
    const ints = tf.tensor1d([1], 'int32');
    expectInvalid(() => sigmoidBinaryCrossEntropy()(ints, logits), 'sigmoidBinaryCrossEntropy', 'yTrue');
    expectInvalid(() => sigmoidBinaryCrossEntropy()(logits, ints), 'sigmoidBinaryCrossEntropy', 'yPred');
    tf.dispose([logits, ints]);
  });
});
