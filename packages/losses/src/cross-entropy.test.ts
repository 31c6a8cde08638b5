import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { checkGradient, expectNoLeaksSync } from '@topk/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy } from './cross-entropy.js';
import { expectInvalid, expectValues, finiteGradient, scalarValue } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Worked example, by hand: row 0 logits [2, 1, 0] with label 0:
//   logSumExp = ln(e² + e + 1) = ln(11.107338) = 2.4076060, loss = 2.4076060 − 2 = 0.4076060.
// Row 1 logits [0.5, −1, 3] with label 2: logSumExp = ln(1.6487213 + 0.3678794 + 20.0855369) = 3.0956743,
//   loss = 0.0956743.
const logits = () => tf.tensor2d([2, 1, 0, 0.5, -1, 3], [2, 3]);
const labels = () => tf.tensor1d([0, 2], 'int32');

describe('crossEntropy', () => {
  it('matches the worked example with class indices and with one-hot targets', () => {
    const [z, y] = [logits(), labels()];
    const oneHot = tf.tensor2d([1, 0, 0, 0, 0, 1], [2, 3]);
    expectValues(crossEntropy()(y, z), (0.4076059644 + 0.0956743294) / 2);
    expectValues(crossEntropy({ reduction: 'sum' })(y, z), 0.4076059644 + 0.0956743294);
    expectValues(crossEntropy({ reduction: 'none' })(y, z), [0.4076059644, 0.0956743294]);
    expectValues(crossEntropy({ reduction: 'none' })(oneHot, z), [0.4076059644, 0.0956743294]);
    tf.dispose([z, y, oneHot]);
  });

  it('smooths labels: targets (1 − ε) y + ε / C', () => {
    // ε = 0.1, C = 3: row 0 targets [0.9333, 0.0333, 0.0333]; the targets sum to 1, so
    // loss = logSumExp − Σ t z = 2.4076060 − (0.9333·2 + 0.0333·1) = 2.4076060 − 1.9 = 0.5076060.
    // Row 1: 3.0956743 − (0.0333·0.5 − 0.0333·1 + 0.9333·3) = 3.0956743 − 2.7833333 = 0.3123410.
    const [z, y] = [logits(), labels()];
    expectValues(
      crossEntropy({ labelSmoothing: 0.1, reduction: 'none' })(y, z),
      [0.5076059644, 0.3123409961],
    );
    // Smoothing 0 is plain cross-entropy.
    expect(scalarValue(crossEntropy({ labelSmoothing: 0 })(y, z))).toBe(scalarValue(crossEntropy()(y, z)));
    tf.dispose([z, y]);
  });

  it('takes soft targets', () => {
    // Row 0 with targets [0.7, 0.3, 0]: 0.7 · 0.4076060 + 0.3 · 1.4076060 = 0.7076060.
    const z = logits();
    const soft = tf.tensor2d([0.7, 0.3, 0, 0, 0.4, 0.6], [2, 3]);
    // Row 1: 0.4 · (3.0956743 + 1) + 0.6 · 0.0956743 = 1.6956743.
    expectValues(crossEntropy({ reduction: 'none' })(soft, z), [0.7076059644, 1.6956743294]);
    tf.dispose([z, soft]);
  });

  it('has the gradient (softmax(z) − t) / N, checked by finite differences', () => {
    const z = tf.tensor2d([0.3, -1.2, 2.1, 0.7, 0.1, 0.4, -0.5, 1.5, 0.9, -2, 0.2, 0.05], [3, 4]);
    const y = tf.tensor1d([2, 0, 3], 'int32');
    const soft = tf.tensor2d([0.1, 0.2, 0.6, 0.1, 0.5, 0.5, 0, 0, 0, 0, 0.25, 0.75], [3, 4]);
    checkGradient((x) => crossEntropy()(y, x), [z]);
    checkGradient((x) => crossEntropy({ labelSmoothing: 0.2, reduction: 'sum' })(soft, x), [z]);
    // Closed form for the first row under 'mean': (softmax(z₀) − onehot(2)) / 3.
    const gradient = tf.tidy(() =>
      Array.from(
        tf
          .grad((x) => crossEntropy()(y, x))(z)
          .dataSync(),
      ),
    );
    const row = [0.3, -1.2, 2.1, 0.7].map(Math.exp);
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((e, c) => {
      expect(gradient[c]).toBeCloseTo((e / total - (c === 2 ? 1 : 0)) / 3, 6);
    });
    tf.dispose([z, y, soft]);
  });

  it('handles all-zero targets, a single class and logits of ±1e4', () => {
    const z = logits();
    // An all-zero target row contributes nothing, unless smoothed: then ε/C · Σ_c −log p_c, i.e.
    // 0.1/3 · (0.4076060 + 1.4076060 + 2.4076060) for row 0 and 0.1/3 · (3 · 3.0956743 − (0.5 − 1 + 3)) for row 1.
    const zeros = tf.zeros([2, 3]);
    expectValues(crossEntropy({ reduction: 'none' })(zeros, z), [0, 0]);
    expectValues(
      crossEntropy({ labelSmoothing: 0.1, reduction: 'none' })(zeros, z),
      [0.1407605964, 0.2262341082],
    );
    // One class: softmax is 1, the loss 0.
    const one = tf.tensor2d([[5], [-3]]);
    expectValues(crossEntropy()(tf.tensor1d([0, 0], 'int32'), one), 0);
    // ±1e4: logSumExp is 1e4, so the right class costs 0 and a wrong one 2e4, without overflow.
    const extreme = tf.tensor2d([1e4, -1e4, 0, -1e4, 1e4, 0], [2, 3]);
    expectValues(crossEntropy({ reduction: 'none' })(tf.tensor1d([0, 0], 'int32'), extreme), [0, 2e4], 1e-2);
    finiteGradient((x) => crossEntropy({ labelSmoothing: 0.1 })(tf.tensor1d([0, 2], 'int32'), x), extreme);
    tf.dispose([z, zeros, one, extreme]);
  });

  it('frees its intermediates', () => {
    const [z, y] = [logits(), labels()];
    const loss = crossEntropy({ labelSmoothing: 0.1 });
    expectNoLeaksSync(() => loss(y, z)).dispose();
    expectNoLeaksSync(() => tf.grad((x) => loss(y, x))(z)).dispose();
    tf.dispose([z, y]);
  });

  it('rejects bad options and inputs', () => {
    expectInvalid(() => crossEntropy({ labelSmoothing: 1 }), 'crossEntropy', 'labelSmoothing');
    expectInvalid(() => crossEntropy({ labelSmoothing: -0.1 }), 'crossEntropy', 'labelSmoothing');
    expectInvalid(() => crossEntropy({ reduction: 'avg' as never }), 'crossEntropy', 'reduction');
    expectInvalid(() => crossEntropy(null as never), 'crossEntropy', 'options');
    const loss = crossEntropy();
    const z = logits();
    expectInvalid(() => loss(tf.tensor1d([0, 1]), z), 'crossEntropy', 'yTrue'); // float indices
    expectInvalid(() => loss(tf.tensor1d([0, 1, 2], 'int32'), z), 'crossEntropy', 'yTrue');
    expectInvalid(() => loss(tf.zeros([2, 4]), z), 'crossEntropy', 'yTrue');
    expectInvalid(() => loss(tf.tensor1d([0, 1], 'int32'), tf.zeros([2])), 'crossEntropy', 'yPred');
    expectInvalid(
      () => loss(tf.tensor1d([0, 1], 'int32'), tf.zeros([2, 3], 'int32')),
      'crossEntropy',
      'yPred',
    );
    expectInvalid(() => loss(null as never, z), 'crossEntropy', 'yTrue');
    z.dispose();
  });
});
