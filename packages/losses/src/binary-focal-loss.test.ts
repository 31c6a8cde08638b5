import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { checkGradient, expectNoLeaksSync } from '@topk/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { binaryCrossEntropy } from './binary-cross-entropy.js';
import { binaryFocalLoss } from './binary-focal-loss.js';
import { expectInvalid, expectValues, finiteGradient, scalarValue } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('binaryFocalLoss', () => {
  it('matches worked examples (torchvision sigmoid_focal_loss formula, γ = 2, α = 0.25)', () => {
    // z = 1, t = 1: p = σ(1) = 0.7310586, p_t = p, CE = 0.3132617, α_t = 0.25:
    //   0.25 · (1 − 0.7310586)² · 0.3132617 = 0.25 · 0.0723295 · 0.3132617 = 0.0056645
    // z = −2, t = 0: p = 0.1192029, p_t = 0.8807971, CE = 0.1269280, α_t = 0.75:
    //   0.75 · 0.1192029² · 0.1269280 = 0.0013527
    // z = 0.5, t = 0.5 (soft): p_t = 0.5 · p + 0.5 · (1 − p) = 0.5, CE = 0.5 · (0.4740770 + 0.9740770) = 0.7240770,
    //   α_t = 0.5 · 0.25 + 0.5 · 0.75 = 0.5: 0.5 · 0.25 · 0.7240770 = 0.0905096
    const loss = binaryFocalLoss({ reduction: 'none' });
    expectValues(
      loss(tf.tensor1d([1, 0, 0.5]), tf.tensor1d([1, -2, 0.5])),
      [0.0056645144, 0.0013526721, 0.090509623],
    );
    // [N, C]: an example's loss is the mean over its classes.
    expectValues(loss(tf.tensor2d([[1, 0]]), tf.tensor2d([[1, -2]])), [(0.0056645144 + 0.0013526721) / 2]);
  });

  it('is binary cross-entropy with γ = 0 and α = null', () => {
    const z = tf.tensor2d([0.3, -1.2, 2.1, 0.7, 0.1, 0.4], [2, 3]);
    const t = tf.tensor2d([1, 0, 1, 0, 0.3, 1], [2, 3]);
    expect(scalarValue(binaryFocalLoss({ gamma: 0, alpha: null })(t, z))).toBeCloseTo(
      scalarValue(binaryCrossEntropy()(t, z)),
      6,
    );
    tf.dispose([z, t]);
  });

  it('has finite-difference-checked gradients', () => {
    const z = tf.tensor2d([0.3, -1.2, 2.1, 0.7, 0.1, 0.4], [2, 3]);
    const t = tf.tensor2d([1, 0, 1, 0, 0.3, 1], [2, 3]);
    checkGradient((x) => binaryFocalLoss()(t, x), [z]);
    checkGradient((x) => binaryFocalLoss({ gamma: 0.5, alpha: null, reduction: 'sum' })(t, x), [z]);
    tf.dispose([z, t]);
  });

  it('handles all-zero targets, one class and ±1e4 logits', () => {
    // All-zero targets, z = 0: p_t = 0.5, α_t = 0.75: 0.75 · 0.25 · ln 2 = 0.1299651.
    expectValues(binaryFocalLoss()(tf.zeros([1, 2]), tf.zeros([1, 2])), 0.1299651);
    expectValues(
      binaryFocalLoss({ reduction: 'none' })(tf.tensor2d([[1]]), tf.tensor2d([[1]])),
      [0.0056645144],
    );
    // Confident and right: 0. Confident and wrong: α_t · 1 · 1e4 (0.25 for t = 1, 0.75 for t = 0).
    const extreme = tf.tensor2d([1e4, -1e4, -1e4, 1e4], [2, 2]);
    const t = tf.tensor2d([1, 0, 1, 0], [2, 2]);
    expectValues(
      binaryFocalLoss({ reduction: 'none' })(t, extreme),
      [0, (0.25 * 1e4 + 0.75 * 1e4) / 2],
      1e-2,
    );
    for (const gamma of [0.5, 2]) finiteGradient((x) => binaryFocalLoss({ gamma })(t, x), extreme);
    const loss = binaryFocalLoss();
    expectNoLeaksSync(() => loss(t, extreme)).dispose();
    expectNoLeaksSync(() => tf.grad((x) => loss(t, x))(extreme)).dispose();
    tf.dispose([extreme, t]);
  });

  it('rejects bad options', () => {
    expectInvalid(() => binaryFocalLoss({ alpha: 1.5 }), 'binaryFocalLoss', 'alpha');
    expectInvalid(() => binaryFocalLoss({ gamma: Number.NaN }), 'binaryFocalLoss', 'gamma');
    expectInvalid(() => binaryFocalLoss()(tf.zeros([2]), tf.zeros([3])), 'binaryFocalLoss', 'yTrue');
  });
});
