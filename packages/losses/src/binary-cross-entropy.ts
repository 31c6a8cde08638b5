import * as tf from '@tensorflow/tfjs-core';
import { type LossFunction, makeLoss } from './loss.js';
import { REDUCTIONS, type ReducedLoss, type Reduction, reduce } from './reduction.js';
import {
  checkFloatTensor,
  checkFraction,
  checkOneOf,
  checkOptions,
  checkWeights,
  classVector,
  elementTargets,
} from './validate.js';

/** Options of {@link binaryCrossEntropy}. */
export interface BinaryCrossEntropyOptions<R extends Reduction = Reduction> {
  /**
   * Weight of the positive term, one per class or one for all (PyTorch's `pos_weight`): > 1 raises
   * recall, e.g. `negatives / positives` per class for rare labels.
   * @defaultValue 1
   */
  readonly posWeight?: number | readonly number[];
  /**
   * Weight of each class's loss (PyTorch's `weight`), one per class or one for all.
   * @defaultValue 1
   */
  readonly classWeights?: number | readonly number[];
  /**
   * ε of label smoothing: targets become `(1 − ε) · y + ε / 2` (Keras), in [0, 1).
   * @defaultValue 0
   */
  readonly labelSmoothing?: number;
  /**
   * `'mean'` or `'sum'` over the batch, or `'none'` for per-example losses of shape [N] (each the mean
   * over its classes).
   * @defaultValue 'mean'
   */
  readonly reduction?: R;
}

/** Config of {@link binaryCrossEntropy}. */
export interface BinaryCrossEntropyConfig {
  readonly type: 'binaryCrossEntropy';
  readonly posWeight: number | readonly number[];
  readonly classWeights: number | readonly number[];
  readonly labelSmoothing: number;
  readonly reduction: Reduction;
}

/**
 * Per element `−[t · log σ(z) + (1 − t) · log(1 − σ(z))] = t · softplus(−z) + (1 − t) · softplus(z)`,
 * finite for any finite logit.
 */
export function sigmoidCrossEntropy(targets: tf.Tensor, logits: tf.Tensor): tf.Tensor {
  return tf.add(
    tf.mul(targets, tf.softplus(tf.neg(logits))),
    tf.mul(tf.sub(1, targets), tf.softplus(logits)),
  );
}

/** Mean over the class axis of a [N, C] tensor; a [N] tensor is already per example. */
export function meanOverClasses(x: tf.Tensor): tf.Tensor1D {
  return (x.rank === 1 ? x : tf.mean(x, -1)) as tf.Tensor1D;
}

/**
 * Binary cross-entropy on logits for multi-label classification (the loss of the iMaterialist solution,
 * field note 004) or a single binary output. `yPred` is float32 logits of shape [N, C] or [N]; `yTrue` has
 * the same shape (multi-hot 0/1, or soft targets in [0, 1]; any numeric dtype).
 *
 * Per element: `w_c · [p_c · t · softplus(−z) + (1 − t) · softplus(z)]` with `p_c` = posWeight and `w_c` =
 * classWeights (PyTorch's `BCEWithLogitsLoss`); an example's loss is the mean over its classes, so
 * `'mean'` is the mean over all elements.
 *
 * @example
 * ```ts
 * const loss = binaryCrossEntropy({ posWeight: 3, labelSmoothing: 0.05 });
 * const value = loss(multiHot, logits);
 * ```
 */
export function binaryCrossEntropy<R extends Reduction = 'mean'>(
  options: BinaryCrossEntropyOptions<R> = {},
): LossFunction<ReducedLoss<R>, BinaryCrossEntropyConfig> {
  const fn = 'binaryCrossEntropy';
  checkOptions(fn, options);
  const posWeight = checkWeights(fn, 'posWeight', options.posWeight ?? 1);
  const classWeights = checkWeights(fn, 'classWeights', options.classWeights ?? 1);
  const labelSmoothing = checkFraction(fn, 'labelSmoothing', options.labelSmoothing ?? 0);
  const reduction = checkOneOf(fn, 'reduction', options.reduction ?? 'mean', REDUCTIONS);
  const config = { type: 'binaryCrossEntropy', posWeight, classWeights, labelSmoothing, reduction } as const;
  return makeLoss(config, (yTrue, yPred) => {
    const logits = checkFloatTensor(fn, 'yPred', yPred, [1, 2]);
    let targets = elementTargets(fn, yTrue, logits);
    if (labelSmoothing > 0) targets = tf.add(tf.mul(targets, 1 - labelSmoothing), labelSmoothing / 2);
    const classes = logits.rank === 2 ? logits.shape[1]! : 1;
    let positive = tf.mul(targets, tf.softplus(tf.neg(logits)));
    if (posWeight !== 1) positive = tf.mul(positive, classVector(fn, 'posWeight', posWeight, classes));
    let loss = tf.add(positive, tf.mul(tf.sub(1, targets), tf.softplus(logits)));
    if (classWeights !== 1) loss = tf.mul(loss, classVector(fn, 'classWeights', classWeights, classes));
    return reduce(meanOverClasses(loss), reduction);
  });
}
