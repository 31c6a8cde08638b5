import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { checkGradient, expectNoLeaksSync } from '@topk/core/testing';
import { beforeAll, describe, it } from 'vitest';
import { binaryCrossEntropy } from './binary-cross-entropy.js';
import { expectInvalid, expectValues, finiteGradient } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Worked example: softplus(x) = ln(1 + eˣ).
//   z = 1,  t = 1: softplus(−1) = 0.3132617
//   z = −2, t = 0: softplus(−2) = 0.1269280
//   z = 0,  t = 0: softplus(0)  = ln 2 = 0.6931472
//   z = 3,  t = 1: softplus(−3) = 0.0485874
// Per example (mean over the 2 classes): 0.2200948, 0.3708673; mean over all: 0.2954811.
const logits = () => tf.tensor2d([1, -2, 0, 3], [2, 2]);
const targets = () => tf.tensor2d([1, 0, 0, 1], [2, 2]);

describe('binaryCrossEntropy', () => {
  it('matches the worked example', () => {
    const [z, t] = [logits(), targets()];
    expectValues(binaryCrossEntropy()(t, z), 0.2954810577);
    expectValues(binaryCrossEntropy({ reduction: 'none' })(t, z), [0.2200948493, 0.3708672661]);
    expectValues(binaryCrossEntropy({ reduction: 'sum' })(t, z), 0.2200948493 + 0.3708672661);
    // int32 multi-hot targets are accepted.
    expectValues(binaryCrossEntropy()(tf.tensor2d([1, 0, 0, 1], [2, 2], 'int32'), z), 0.2954810577);
    tf.dispose([z, t]);
  });

  it('applies posWeight, classWeights and label smoothing', () => {
    // ε = 0.1: t = 1 → 0.95, t = 0 → 0.05. posWeight [2, 1], classWeights [1, 3]:
    //   element = w_c · (p_c · t · softplus(−z) + (1 − t) · softplus(z))
    //   (0,0): 1 · (2 · 0.95 · 0.3132617 + 0.05 · 1.3132617) = 0.6608603
    //   (0,1): 3 · (1 · 0.05 · 2.1269280 + 0.95 · 0.1269280) = 0.6807840
    //   (1,0): 1 · (2 · 0.05 · 0.6931472 + 0.95 · 0.6931472) = 0.7278045
    //   (1,1): 3 · (1 · 0.95 · 0.0485874 + 0.05 · 3.0485874) = 0.5957621
    // Per example: 0.6708222, 0.6617833.
    const [z, t] = [logits(), targets()];
    const loss = binaryCrossEntropy({
      posWeight: [2, 1],
      classWeights: [1, 3],
      labelSmoothing: 0.1,
      reduction: 'none',
    });
    expectValues(loss(t, z), [0.6708222, 0.6617833]);
    // A single number applies to every class: posWeight 2 doubles the positive terms only.
    // (2 · 0.3132617 + 0.1269280) / 2, (0.6931472 + 2 · 0.0485874) / 2
    expectValues(binaryCrossEntropy({ posWeight: 2, reduction: 'none' })(t, z), [0.3767257, 0.395161]);
    tf.dispose([z, t]);
  });

  it('takes rank-1 logits for a single binary output', () => {
    expectValues(
      binaryCrossEntropy({ reduction: 'none' })(tf.tensor1d([1, 0]), tf.tensor1d([1, -2])),
      [0.3132617, 0.126928],
    );
  });

  it('has finite-difference-checked gradients', () => {
    const z = tf.tensor2d([0.3, -1.2, 2.1, 0.7, 0.1, 0.4], [2, 3]);
    const t = tf.tensor2d([1, 0, 1, 0, 0.3, 1], [2, 3]);
    checkGradient((x) => binaryCrossEntropy()(t, x), [z]);
    checkGradient(
      (x) =>
        binaryCrossEntropy({ posWeight: [3, 1, 0.5], classWeights: [1, 2, 0.5], labelSmoothing: 0.2 })(t, x),
      [z],
    );
    tf.dispose([z, t]);
  });

  it('handles all-zero targets, one class and ±1e4 logits', () => {
    const z = logits();
    // All-zero targets: mean softplus(z) = (1.3132617 + 0.1269280 + 0.6931472 + 3.0485874) / 4.
    expectValues(binaryCrossEntropy()(tf.zeros([2, 2]), z), 1.2954811);
    expectValues(
      binaryCrossEntropy({ reduction: 'none' })(tf.tensor2d([[1], [0]]), tf.tensor2d([[1], [-2]])),
      [0.3132617, 0.126928],
    );
    // Right at ±1e4 costs 0, wrong costs 1e4.
    const extreme = tf.tensor2d([1e4, -1e4, 1e4, -1e4], [2, 2]);
    expectValues(
      binaryCrossEntropy({ reduction: 'none' })(tf.tensor2d([1, 0, 0, 1], [2, 2]), extreme),
      [0, 1e4],
      1e-2,
    );
    finiteGradient((x) => binaryCrossEntropy({ posWeight: 2, labelSmoothing: 0.1 })(targets(), x), extreme);
    const loss = binaryCrossEntropy({ posWeight: [2, 1], classWeights: 2, labelSmoothing: 0.1 });
    const t = targets();
    expectNoLeaksSync(() => loss(t, z)).dispose();
    expectNoLeaksSync(() => tf.grad((x) => loss(t, x))(z)).dispose();
    tf.dispose([z, t]);
  });

  it('rejects bad options and inputs', () => {
    const fn = 'binaryCrossEntropy';
    expectInvalid(() => binaryCrossEntropy({ posWeight: -1 }), fn, 'posWeight');
    expectInvalid(() => binaryCrossEntropy({ posWeight: [] }), fn, 'posWeight');
    expectInvalid(() => binaryCrossEntropy({ classWeights: [1, Number.NaN] }), fn, 'classWeights');
    expectInvalid(() => binaryCrossEntropy({ labelSmoothing: 1 }), fn, 'labelSmoothing');
    const z = logits();
    expectInvalid(() => binaryCrossEntropy({ posWeight: [1, 2, 3] })(targets(), z), fn, 'posWeight');
    expectInvalid(() => binaryCrossEntropy()(tf.zeros([2, 3]), z), fn, 'yTrue');
    expectInvalid(() => binaryCrossEntropy()(tf.tensor1d([0, 1], 'int32'), z), fn, 'yTrue');
    expectInvalid(() => binaryCrossEntropy()(tf.zeros([1, 2, 2]), tf.zeros([1, 2, 2])), fn, 'yPred');
    z.dispose();
  });
});
