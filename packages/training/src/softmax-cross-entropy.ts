import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@topk/core';
import type { LossFunction } from './types.js';
import { checkInRange, checkOptions } from './validate.js';

/** Options of {@link softmaxCrossEntropy}. */
export interface SoftmaxCrossEntropyOptions {
  /**
   * Label smoothing ε in [0, 1): the target becomes `(1 − ε)·onehot + ε / C`, as PyTorch's
   * `CrossEntropyLoss(label_smoothing=ε)`.
   * @defaultValue 0
   */
  readonly labelSmoothing?: number;
}

/**
 * Targets of shape [N, C]: int32 class indices [N] one-hot encoded, or float targets [N, C] as they are.
 * Shared by the built-in losses; throws when the labels fit neither.
 */
export function denseTargets(fn: string, labels: tf.Tensor, logits: tf.Tensor): tf.Tensor2D {
  const [n, c] = logits.shape as [number, number];
  if (labels.dtype === 'int32' && labels.rank === 1 && labels.shape[0] === n) {
    return tf.tidy(() => tf.cast(tf.oneHot(labels as tf.Tensor1D, c), 'float32')) as tf.Tensor2D;
  }
  if (labels.dtype === 'float32' && labels.rank === 2 && labels.shape[0] === n && labels.shape[1] === c) {
    return labels as tf.Tensor2D;
  }
  throw new InvalidArgumentError(
    fn,
    'yTrue',
    `int32 class indices of shape [${n}] or float32 targets of shape [${n}, ${c}]`,
    labels,
  );
}

function checkLogits(fn: string, logits: unknown): tf.Tensor2D {
  if (!(logits instanceof tf.Tensor) || logits.rank !== 2) {
    throw new InvalidArgumentError(fn, 'yPred', 'rank-2 logits [N, C]', logits);
  }
  return logits as tf.Tensor2D;
}

/**
 * Softmax cross-entropy on logits, averaged over the batch, with optional label smoothing (Szegedy et al.
 * 2016): `mean_n(−Σ_c t_nc · log softmax(z_n)_c)`. Labels are int32 class indices [N] or float targets
 * [N, C] (soft targets from mixup or cutmix). Its `task` is `single-label`.
 *
 * @example
 * ```ts
 * const loss = softmaxCrossEntropy({ labelSmoothing: 0.1 });
 * const value = loss(tf.tensor1d([2, 0], 'int32'), logits); // scalar
 * ```
 */
export function softmaxCrossEntropy(options: SoftmaxCrossEntropyOptions = {}): LossFunction {
  const fn = 'softmaxCrossEntropy';
  checkOptions(fn, options);
  const epsilon = checkInRange(fn, 'labelSmoothing', options.labelSmoothing ?? 0, 0, 1);
  const loss = (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar => {
    const logits = checkLogits(fn, yPred);
    return tf.tidy(() => {
      let targets: tf.Tensor = denseTargets(fn, yTrue, logits);
      if (epsilon > 0) targets = tf.add(tf.mul(targets, 1 - epsilon), epsilon / logits.shape[1]);
      const perSample = tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1));
      return tf.mean(perSample) as tf.Scalar;
    });
  };
  return Object.assign(loss, { task: 'single-label' as const });
}
