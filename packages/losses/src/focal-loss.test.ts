import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { checkGradient, expectNoLeaksSync } from '@topk/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy } from './cross-entropy.js';
import { focalLoss } from './focal-loss.js';
import { expectInvalid, expectValues, finiteGradient, scalarValue } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Worked example (same logits as the cross-entropy test):
//   row 0 [2, 1, 0], label 0: p = e² / 11.107338 = 0.6652410, CE = 0.4076060,
//     γ = 2: (1 − 0.6652410)² · 0.4076060 = 0.1120636 · 0.4076060 = 0.0456778
//   row 1 [0.5, −1, 3], label 2: p = 20.0855369 / 22.1021376 = 0.9087594, CE = 0.0956743,
//     γ = 2: 0.0912406² · 0.0956743 = 0.0007965
const logits = () => tf.tensor2d([2, 1, 0, 0.5, -1, 3], [2, 3]);
const labels = () => tf.tensor1d([0, 2], 'int32');

describe('focalLoss', () => {
  it('matches the worked example', () => {
    const [z, y] = [logits(), labels()];
    expectValues(focalLoss({ reduction: 'none' })(y, z), [0.045677799, 0.000796465]);
    expectValues(focalLoss()(y, z), 0.023237132);
    // α per class [0.25, 0.5, 0.25] scales row 0 by 0.25 and row 1 by 0.25 (its class is 2).
    expectValues(
      focalLoss({ alpha: [0.25, 0.5, 0.25], reduction: 'sum' })(y, z),
      0.25 * (0.045677799 + 0.000796465),
    );
    tf.dispose([z, y]);
  });

  it('is cross-entropy with γ = 0 and no α', () => {
    const [z, y] = [logits(), labels()];
    const soft = tf.tensor2d([0.7, 0.3, 0, 0, 0.4, 0.6], [2, 3]);
    expect(scalarValue(focalLoss({ gamma: 0 })(y, z))).toBeCloseTo(scalarValue(crossEntropy()(y, z)), 6);
    expect(scalarValue(focalLoss({ gamma: 0, reduction: 'sum' })(soft, z))).toBeCloseTo(
      scalarValue(crossEntropy({ reduction: 'sum' })(soft, z)),
      6,
    );
    tf.dispose([z, y, soft]);
  });

  it('has finite-difference-checked gradients, for integer and fractional γ', () => {
    const z = tf.tensor2d([0.3, -1.2, 2.1, 0.7, 0.1, 0.4, -0.5, 1.5, 0.9, -2, 0.2, 0.05], [3, 4]);
    const y = tf.tensor1d([2, 0, 3], 'int32');
    const soft = tf.tensor2d([0.1, 0.2, 0.6, 0.1, 0.5, 0.5, 0, 0, 0, 0, 0.25, 0.75], [3, 4]);
    checkGradient((x) => focalLoss()(y, x), [z]);
    checkGradient((x) => focalLoss({ gamma: 0.5, alpha: [1, 2, 0.5, 0.25] })(soft, x), [z]);
    tf.dispose([z, y, soft]);
  });

  it('handles all-zero targets, one class and ±1e4 logits', () => {
    const z = logits();
    expectValues(focalLoss()(tf.zeros([2, 3]), z), 0);
    // One class: p = 1, so (1 − p)^γ = 0 and the loss is 0.
    expectValues(focalLoss()(tf.tensor1d([0], 'int32'), tf.tensor2d([[4]])), 0);
    // ±1e4: the right class has p = 1 (loss 0); the wrong one has (1 − p)^γ = 1 and CE = 2e4.
    const extreme = tf.tensor2d([1e4, -1e4, 0, -1e4, 1e4, 0], [2, 3]);
    expectValues(focalLoss({ reduction: 'none' })(tf.tensor1d([0, 0], 'int32'), extreme), [0, 2e4], 1e-2);
    for (const gamma of [0.5, 2]) {
      finiteGradient((x) => focalLoss({ gamma })(tf.tensor1d([0, 0], 'int32'), x), extreme);
    }
    const loss = focalLoss({ alpha: 0.5 });
    const y = labels();
    expectNoLeaksSync(() => loss(y, z)).dispose();
    expectNoLeaksSync(() => tf.grad((x) => loss(y, x))(z)).dispose();
    tf.dispose([z, y]);
  });

  it('rejects bad options and inputs', () => {
    expectInvalid(() => focalLoss({ gamma: -1 }), 'focalLoss', 'gamma');
    expectInvalid(() => focalLoss({ alpha: [-1] }), 'focalLoss', 'alpha');
    const z = logits();
    expectInvalid(() => focalLoss({ alpha: [1, 2] })(labels(), z), 'focalLoss', 'alpha');
    expectInvalid(() => focalLoss()(tf.zeros([2, 2]), z), 'focalLoss', 'yTrue');
    z.dispose();
  });
});
