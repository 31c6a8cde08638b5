import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@topk/core';
import { expectNoLeaksSync } from '@topk/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { softmaxCrossEntropy } from './softmax-cross-entropy.js';
import { expectInvalid } from './test-helpers.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
});

const logSumExp = (z: number[]) => Math.log(z.reduce((s, v) => s + Math.exp(v), 0));

describe('softmaxCrossEntropy', () => {
  it('is the mean of −log softmax(z)[y] for class indices', () => {
    const z = [
      [1, 2, 3],
      [0, 0, 5],
    ];
    const logits = tf.tensor2d(z);
    const labels = tf.tensor1d([2, 0], 'int32');
    const loss = expectNoLeaksSync(() => softmaxCrossEntropy()(labels, logits));
    // −log softmax: logsumexp(z) − z_y.
    const want = (logSumExp(z[0]!) - 3 + (logSumExp(z[1]!) - 0)) / 2;
    expect(loss.rank).toBe(0);
    expect(loss.dataSync()[0]).toBeCloseTo(want, 5);
    tf.dispose([logits, labels, loss]);
  });

  it('smooths labels as PyTorch: target (1 − ε)·onehot + ε/C', () => {
    const z = [0.5, -1, 2, 0];
    const logits = tf.tensor2d([z]);
    const labels = tf.tensor1d([1], 'int32');
    const eps = 0.1;
    const loss = softmaxCrossEntropy({ labelSmoothing: eps })(labels, logits);
    const lse = logSumExp(z);
    const want = z.reduce((s, v, c) => s + ((c === 1 ? 1 - eps : 0) + eps / 4) * (lse - v), 0);
    expect(loss.dataSync()[0]).toBeCloseTo(want, 5);
    expect(softmaxCrossEntropy().task).toBe('single-label');
    tf.dispose([logits, labels, loss]);
  });

  it('takes soft targets [N, C] (mixup) and gives the same loss as class indices for one-hot rows', () => {
    const logits = tf.tensor2d([[1, 2, 3]]);
    const hard = tf.tensor1d([1], 'int32');
    const soft = tf.tensor2d([[0, 1, 0]]);
    const a = softmaxCrossEntropy()(hard, logits);
    const b = softmaxCrossEntropy()(soft, logits);
    expect(b.dataSync()[0]).toBeCloseTo(a.dataSync()[0]!, 6);
    tf.dispose([logits, hard, soft, a, b]);
  });

  it('rejects bad options and inputs', () => {
    expectInvalid(() => softmaxCrossEntropy({ labelSmoothing: 1 }), 'softmaxCrossEntropy', 'labelSmoothing');
    const logits = tf.tensor2d([[1, 2]]);
    const bad = tf.tensor1d([1, 0], 'int32');
    const loss = softmaxCrossEntropy();
    expectInvalid(() => loss(bad, logits), 'softmaxCrossEntropy', 'yTrue');
    const flat = tf.tensor1d([1]);
    expectInvalid(() => loss(bad, flat), 'softmaxCrossEntropy', 'yPred');
    tf.dispose([logits, bad, flat]);
  });
});
