import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@topk/core';
import type { LossFunction } from './types.js';

/**
 * Binary cross-entropy on logits, averaged over every sample and class, as PyTorch's `BCEWithLogitsLoss`
 * in its stable form `max(z, 0) − z·y + log(1 + e^(−|z|))` (the iMaterialist multi-label loss, field note
 * 004). Labels are float multi-hot (or soft) targets [N, C]. Its `task` is `multi-label`.
 *
 * @example
 * ```ts
 * const loss = sigmoidBinaryCrossEntropy();
 * const value = loss(tf.tensor2d([[1, 0, 1]]), logits); // scalar
 * ```
 */
export function sigmoidBinaryCrossEntropy(): LossFunction {
  const fn = 'sigmoidBinaryCrossEntropy';
  const loss = (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar => {
    if (!(yPred instanceof tf.Tensor) || yPred.rank !== 2) {
      throw new InvalidArgumentError(fn, 'yPred', 'rank-2 logits [N, C]', yPred);
    }
    if (
      !(yTrue instanceof tf.Tensor) ||
      yTrue.dtype !== 'float32' ||
      !tf.util.arraysEqual(yTrue.shape, yPred.shape)
    ) {
      throw new InvalidArgumentError(fn, 'yTrue', `float32 targets of shape [${yPred.shape}]`, yTrue);
    }
    return tf.tidy(() => {
      const z = yPred;
      const elementwise = tf.add(tf.sub(tf.relu(z), tf.mul(z, yTrue)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
      return tf.mean(elementwise) as tf.Scalar;
    });
  };
  return Object.assign(loss, { task: 'multi-label' as const });
}
