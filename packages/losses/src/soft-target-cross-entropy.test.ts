import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { checkGradient } from '@topk/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy } from './cross-entropy.js';
import { softTargetCrossEntropy } from './soft-target-cross-entropy.js';
import { expectInvalid, expectValues, finiteGradient, scalarValue } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('softTargetCrossEntropy', () => {
  it('is the λ-weighted sum of the two cross-entropies of a mixup pair', () => {
    // Logits [2, 1, 0]: −log p = [0.4076060, 1.4076060, 2.4076060] (logSumExp 2.4076060).
    // Mixup of classes 0 and 1 with λ = 0.7: 0.7 · 0.4076060 + 0.3 · 1.4076060 = 0.7076060.
    // Logits [0.5, −1, 3], λ = 0.4 for class 1 and 0.6 for class 2: 0.4 · 4.0956743 + 0.6 · 0.0956743 = 1.6956743.
    const z = tf.tensor2d([2, 1, 0, 0.5, -1, 3], [2, 3]);
    const t = tf.tensor2d([0.7, 0.3, 0, 0, 0.4, 0.6], [2, 3]);
    expectValues(softTargetCrossEntropy({ reduction: 'none' })(t, z), [0.7076059644, 1.6956743294]);
    expectValues(softTargetCrossEntropy()(t, z), (0.7076059644 + 1.6956743294) / 2);
    expectValues(softTargetCrossEntropy({ reduction: 'sum' })(t, z), 0.7076059644 + 1.6956743294);
    // With one-hot targets it is cross-entropy.
    const oneHot = tf.tensor2d([1, 0, 0, 0, 0, 1], [2, 3]);
    expect(scalarValue(softTargetCrossEntropy()(oneHot, z))).toBeCloseTo(
      scalarValue(crossEntropy()(oneHot, z)),
      6,
    );
    tf.dispose([z, t, oneHot]);
  });

  it('has finite-difference-checked gradients and survives all-zero targets, one class and ±1e4', () => {
    const z = tf.tensor2d([0.3, -1.2, 2.1, 0.7, 0.1, 0.4], [2, 3]);
    const t = tf.tensor2d([0.2, 0.5, 0.3, 0, 0.9, 0.1], [2, 3]);
    checkGradient((x) => softTargetCrossEntropy()(t, x), [z]);
    expectValues(softTargetCrossEntropy()(tf.zeros([2, 3]), z), 0);
    expectValues(softTargetCrossEntropy()(tf.ones([2, 1]), tf.tensor2d([[3], [-3]])), 0);
    const extreme = tf.tensor2d([1e4, -1e4, 0, -1e4, 0, 1e4], [2, 3]);
    // Row 0 target [0.5, 0.5, 0]: 0.5 · 0 + 0.5 · 2e4 = 1e4; row 1 target [0, 0, 1]: 0.
    expectValues(
      softTargetCrossEntropy({ reduction: 'none' })(tf.tensor2d([0.5, 0.5, 0, 0, 0, 1], [2, 3]), extreme),
      [1e4, 0],
      1e-2,
    );
    finiteGradient((x) => softTargetCrossEntropy()(t, x), extreme);
    tf.dispose([z, t, extreme]);
  });

  it('rejects class indices and bad options', () => {
    const z = tf.zeros([2, 3]);
    expectInvalid(
      () => softTargetCrossEntropy()(tf.tensor1d([0, 1], 'int32'), z),
      'softTargetCrossEntropy',
      'yTrue',
    );
    expectInvalid(
      () => softTargetCrossEntropy({ reduction: 'max' as never }),
      'softTargetCrossEntropy',
      'reduction',
    );
    z.dispose();
  });
});
