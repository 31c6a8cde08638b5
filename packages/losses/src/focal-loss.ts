import * as tf from '@tensorflow/tfjs-core';
import { type LossFunction, makeLoss } from './loss.js';
import { REDUCTIONS, type ReducedLoss, type Reduction, reduce } from './reduction.js';
import {
  checkFloatTensor,
  checkNonNegative,
  checkOneOf,
  checkOptions,
  checkWeights,
  classTargets,
  classVector,
} from './validate.js';
import { withoutGradient } from './without-gradient.js';

/** Options of {@link focalLoss}. */
export interface FocalLossOptions<R extends Reduction = Reduction> {
  /**
   * Focusing parameter γ ≥ 0: the loss of a class predicted with probability p is scaled by (1 − p)^γ;
   * 0 gives plain cross-entropy.
   * @defaultValue 2
   */
  readonly gamma?: number;
  /**
   * Class weights α, one per class or one for all; `null` for none (the same as 1).
   * @defaultValue null
   */
  readonly alpha?: number | readonly number[] | null;
  /**
   * `'mean'` or `'sum'` over the batch, or `'none'` for per-example losses of shape [N].
   * @defaultValue 'mean'
   */
  readonly reduction?: R;
}

/** Config of {@link focalLoss}. */
export interface FocalLossConfig {
  readonly type: 'focalLoss';
  readonly gamma: number;
  readonly alpha: number | readonly number[] | null;
  readonly reduction: Reduction;
}

/**
 * `x^γ` for x ≥ 0 with a gradient that stays finite at x = 0 for every γ ≥ 0: where x is 0 the power is
 * taken of 1 and the result replaced by 0 (0^0 = 1 is handled by the caller skipping γ = 0).
 */
export function safePow(x: tf.Tensor, gamma: number): tf.Tensor {
  const positive = withoutGradient((v) => tf.greater(v, 0), x);
  return tf.where(positive, tf.pow(tf.where(positive, x, tf.onesLike(x)), gamma), tf.zerosLike(x));
}

/**
 * Multi-class (softmax) focal loss (Lin et al. 2017, eq. 5 with softmax): per example
 * `−Σ_c α_c · t_c · (1 − p_c)^γ · log p_c` with p = softmax(z). `yTrue` is int32 class indices of shape
 * [N] or float targets of shape [N, C]; `yPred` is float32 logits of shape [N, C]. With γ = 0 and no α it
 * is {@link crossEntropy}. For independent sigmoid outputs use {@link binaryFocalLoss}.
 *
 * log p comes from `tf.logSoftmax` and 1 − p from `−expm1(log p)`, so extreme logits stay finite.
 *
 * @example
 * ```ts
 * const loss = focalLoss({ gamma: 2, alpha: [0.25, 0.75] });
 * ```
 */
export function focalLoss<R extends Reduction = 'mean'>(
  options: FocalLossOptions<R> = {},
): LossFunction<ReducedLoss<R>, FocalLossConfig> {
  const fn = 'focalLoss';
  checkOptions(fn, options);
  const gamma = checkNonNegative(fn, 'gamma', options.gamma ?? 2);
  const alpha =
    options.alpha === undefined || options.alpha === null ? null : checkWeights(fn, 'alpha', options.alpha);
  const reduction = checkOneOf(fn, 'reduction', options.reduction ?? 'mean', REDUCTIONS);
  return makeLoss({ type: 'focalLoss', gamma, alpha, reduction }, (yTrue, yPred) => {
    const logits = checkFloatTensor(fn, 'yPred', yPred, [2]) as tf.Tensor2D;
    const targets = classTargets(fn, yTrue, logits);
    const logP = tf.logSoftmax(logits);
    let terms = tf.mul(targets, tf.neg(logP));
    if (gamma > 0) terms = tf.mul(terms, safePow(tf.neg(tf.expm1(logP)), gamma));
    if (alpha !== null) terms = tf.mul(terms, classVector(fn, 'alpha', alpha, logits.shape[1]));
    return reduce(tf.sum(terms, -1) as tf.Tensor1D, reduction);
  });
}
