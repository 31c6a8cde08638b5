import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@topk/core';
import { meanOverClasses, sigmoidCrossEntropy } from './binary-cross-entropy.js';
import { safePow } from './focal-loss.js';
import { type LossFunction, makeLoss } from './loss.js';
import { REDUCTIONS, type ReducedLoss, type Reduction, reduce } from './reduction.js';
import { checkFloatTensor, checkNonNegative, checkOneOf, checkOptions, elementTargets } from './validate.js';

/** Options of {@link binaryFocalLoss}; the defaults are torchvision's `sigmoid_focal_loss`. */
export interface BinaryFocalLossOptions<R extends Reduction = Reduction> {
  /**
   * Focusing parameter γ ≥ 0; 0 (with `alpha: null`) gives binary cross-entropy.
   * @defaultValue 2
   */
  readonly gamma?: number;
  /**
   * Weight α in [0, 1] of positives (1 − α for negatives); `null` for no weighting.
   * @defaultValue 0.25
   */
  readonly alpha?: number | null;
  /**
   * `'mean'` or `'sum'` over the batch, or `'none'` for per-example losses of shape [N] (each the mean
   * over its classes).
   * @defaultValue 'mean'
   */
  readonly reduction?: R;
}

/** Config of {@link binaryFocalLoss}. */
export interface BinaryFocalLossConfig {
  readonly type: 'binaryFocalLoss';
  readonly gamma: number;
  readonly alpha: number | null;
  readonly reduction: Reduction;
}

/**
 * Sigmoid focal loss (Lin et al. 2017, RetinaNet; torchvision's `sigmoid_focal_loss`) for multi-label or
 * binary outputs. Per element, with p = σ(z), `p_t = p·t + (1 − p)(1 − t)` and
 * `α_t = α·t + (1 − α)(1 − t)`: `α_t · (1 − p_t)^γ · BCE(t, z)`. `yPred` is float32 logits of shape
 * [N, C] or [N]; `yTrue` has the same shape.
 *
 * The cross-entropy comes from softplus and `1 − p_t = (1 − t)·σ(z) + t·σ(−z)` from sigmoids of ±z, so
 * logits of any size give finite values and gradients.
 *
 * @example
 * ```ts
 * const loss = binaryFocalLoss({ gamma: 2, alpha: 0.25 });
 * ```
 */
export function binaryFocalLoss<R extends Reduction = 'mean'>(
  options: BinaryFocalLossOptions<R> = {},
): LossFunction<ReducedLoss<R>, BinaryFocalLossConfig> {
  const fn = 'binaryFocalLoss';
  checkOptions(fn, options);
  const gamma = checkNonNegative(fn, 'gamma', options.gamma ?? 2);
  const alpha = options.alpha === undefined ? 0.25 : options.alpha;
  if (alpha !== null && (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1))) {
    throw new InvalidArgumentError(fn, 'alpha', 'a number in [0, 1] or null', alpha);
  }
  const reduction = checkOneOf(fn, 'reduction', options.reduction ?? 'mean', REDUCTIONS);
  return makeLoss({ type: 'binaryFocalLoss', gamma, alpha, reduction }, (yTrue, yPred) => {
    const logits = checkFloatTensor(fn, 'yPred', yPred, [1, 2]);
    const targets = elementTargets(fn, yTrue, logits);
    let loss = sigmoidCrossEntropy(targets, logits);
    if (gamma > 0) {
      // 1 − p_t = (1 − t)·σ(z) + t·σ(−z): no log of the targets (log 0 is undefined on WebGL), and
      // safePow keeps the gradient finite where it underflows to 0.
      const oneMinusPt = tf.add(
        tf.mul(tf.sub(1, targets), tf.sigmoid(logits)),
        tf.mul(targets, tf.sigmoid(tf.neg(logits))),
      );
      loss = tf.mul(loss, safePow(oneMinusPt, gamma));
    }
    if (alpha !== null) loss = tf.mul(loss, tf.add(tf.mul(targets, 2 * alpha - 1), 1 - alpha));
    return reduce(meanOverClasses(loss), reduction);
  });
}
