import type * as tf from '@tensorflow/tfjs-core';
import { softmaxCrossEntropy } from './cross-entropy.js';
import { type LossFunction, makeLoss } from './loss.js';
import { REDUCTIONS, type ReducedLoss, type Reduction, reduce } from './reduction.js';
import { checkFloatTensor, checkOneOf, checkOptions, classTargets } from './validate.js';

/** Options of {@link softTargetCrossEntropy}. */
export interface SoftTargetCrossEntropyOptions<R extends Reduction = Reduction> {
  /**
   * `'mean'` or `'sum'` over the batch, or `'none'` for per-example losses of shape [N].
   * @defaultValue 'mean'
   */
  readonly reduction?: R;
}

/** Config of {@link softTargetCrossEntropy}. */
export interface SoftTargetCrossEntropyConfig {
  readonly type: 'softTargetCrossEntropy';
  readonly reduction: Reduction;
}

/**
 * Cross-entropy against soft targets, timm's `SoftTargetCrossEntropy`: `−Σ_c t_c · log softmax(z)_c` per
 * example, for the mixed labels of mixup and cutmix (field note 001). `yTrue` must be float targets of shape
 * [N, C] (rows need not sum to 1); class indices are rejected, use {@link crossEntropy} for those.
 *
 * @example
 * ```ts
 * const loss = softTargetCrossEntropy();
 * const value = loss(mixedTargets, logits);
 * ```
 */
export function softTargetCrossEntropy<R extends Reduction = 'mean'>(
  options: SoftTargetCrossEntropyOptions<R> = {},
): LossFunction<ReducedLoss<R>, SoftTargetCrossEntropyConfig> {
  const fn = 'softTargetCrossEntropy';
  checkOptions(fn, options);
  const reduction = checkOneOf(fn, 'reduction', options.reduction ?? 'mean', REDUCTIONS);
  return makeLoss({ type: 'softTargetCrossEntropy', reduction }, (yTrue, yPred) => {
    const logits = checkFloatTensor(fn, 'yPred', yPred, [2]) as tf.Tensor2D;
    const targets = classTargets(fn, yTrue, logits, false);
    return reduce(softmaxCrossEntropy(targets, logits), reduction);
  });
}
