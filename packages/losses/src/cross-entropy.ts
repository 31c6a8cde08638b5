import * as tf from '@tensorflow/tfjs-core';
import { type LossFunction, makeLoss } from './loss.js';
import { REDUCTIONS, type ReducedLoss, type Reduction, reduce } from './reduction.js';
import { checkFloatTensor, checkFraction, checkOneOf, checkOptions, classTargets } from './validate.js';

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions<R extends Reduction = Reduction> {
  /**
   * ε of label smoothing (Szegedy et al. 2016): targets become `(1 − ε) · y + ε / C`, in [0, 1).
   * @defaultValue 0
   */
  readonly labelSmoothing?: number;
  /**
   * `'mean'` or `'sum'` over the batch, or `'none'` for per-example losses of shape [N].
   * @defaultValue 'mean'
   */
  readonly reduction?: R;
}

/** Config of {@link crossEntropy}. */
export interface CrossEntropyConfig {
  readonly type: 'crossEntropy';
  readonly labelSmoothing: number;
  readonly reduction: Reduction;
}

/** Per-example −Σ_c t_c · log softmax(z)_c with log softmax from `tf.logSoftmax` (max-shifted, stable). */
export function softmaxCrossEntropy(targets: tf.Tensor2D, logits: tf.Tensor2D): tf.Tensor1D {
  return tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), -1)) as tf.Tensor1D;
}

/**
 * Softmax cross-entropy on logits, with optional label smoothing. `yTrue` is either int32 class indices of
 * shape [N] or float targets of shape [N, C] (one-hot, or soft as mixup and cutmix make them); `yPred` is
 * float32 logits of shape [N, C].
 *
 * Per example: `−Σ_c t_c · log softmax(z)_c`, computed as `t · (z − logSumExp(z))`, finite for any finite
 * logits (±1e4 included).
 *
 * @example
 * ```ts
 * const loss = crossEntropy({ labelSmoothing: 0.1 });
 * const value = loss(tf.tensor1d([2, 0], 'int32'), logits); // tf.Scalar
 * ```
 */
export function crossEntropy<R extends Reduction = 'mean'>(
  options: CrossEntropyOptions<R> = {},
): LossFunction<ReducedLoss<R>, CrossEntropyConfig> {
  const fn = 'crossEntropy';
  checkOptions(fn, options);
  const labelSmoothing = checkFraction(fn, 'labelSmoothing', options.labelSmoothing ?? 0);
  const reduction = checkOneOf(fn, 'reduction', options.reduction ?? 'mean', REDUCTIONS);
  return makeLoss({ type: 'crossEntropy', labelSmoothing, reduction }, (yTrue, yPred) => {
    const logits = checkFloatTensor(fn, 'yPred', yPred, [2]) as tf.Tensor2D;
    let targets = classTargets(fn, yTrue, logits);
    if (labelSmoothing > 0) {
      const classes = logits.shape[1];
      targets = tf.add(tf.mul(targets, 1 - labelSmoothing), labelSmoothing / classes);
    }
    return reduce(softmaxCrossEntropy(targets, logits), reduction);
  });
}
