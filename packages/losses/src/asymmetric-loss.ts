import * as tf from '@tensorflow/tfjs-core';
import { meanOverClasses } from './binary-cross-entropy.js';
import { safePow } from './focal-loss.js';
import { type LossFunction, makeLoss } from './loss.js';
import { REDUCTIONS, type ReducedLoss, type Reduction, reduce } from './reduction.js';
import {
  checkFloatTensor,
  checkFraction,
  checkNonNegative,
  checkOneOf,
  checkOptions,
  elementTargets,
} from './validate.js';

/** Options of {@link asymmetricLoss}; the defaults are the paper's recommended setting. */
export interface AsymmetricLossOptions<R extends Reduction = Reduction> {
  /**
   * Focusing parameter γ+ of the positive terms.
   * @defaultValue 0
   */
  readonly gammaPos?: number;
  /**
   * Focusing parameter γ− of the negative terms.
   * @defaultValue 4
   */
  readonly gammaNeg?: number;
  /**
   * Probability margin m in [0, 1) of the negatives: p is shifted to max(p − m, 0), which discards easy
   * negatives entirely (and mislabelled positives with very low p).
   * @defaultValue 0.05
   */
  readonly clip?: number;
  /**
   * `'mean'` or `'sum'` over the batch, or `'none'` for per-example losses of shape [N] (each the mean
   * over its classes).
   * @defaultValue 'mean'
   */
  readonly reduction?: R;
}

/** Config of {@link asymmetricLoss}. */
export interface AsymmetricLossConfig {
  readonly type: 'asymmetricLoss';
  readonly gammaPos: number;
  readonly gammaNeg: number;
  readonly clip: number;
  readonly reduction: Reduction;
}

/**
 * Asymmetric loss for multi-label classification (ASL, Ridnik et al. 2021). With p = σ(z) and the shifted
 * probability p_m = max(p − clip, 0), per element:
 * `t · (1 − p)^γ+ · (−log p) + (1 − t) · p_m^γ− · (−log(1 − p_m))`.
 * `yPred` is float32 logits of shape [N, C] or [N]; `yTrue` has the same shape (soft targets mix the two
 * terms linearly). With γ+ = γ− = 0 and clip 0 it is {@link binaryCrossEntropy}.
 *
 * The official code sums over classes and batch; here an example's loss is the mean over its classes, as
 * for the other multi-label losses (multiply by C to compare). log p = −softplus(−z), and
 * (1 − p)^γ+ = exp(−γ+ · softplus(z)), so no probability is clamped.
 *
 * @example
 * ```ts
 * const loss = asymmetricLoss({ gammaNeg: 4, gammaPos: 0, clip: 0.05 });
 * ```
 */
export function asymmetricLoss<R extends Reduction = 'mean'>(
  options: AsymmetricLossOptions<R> = {},
): LossFunction<ReducedLoss<R>, AsymmetricLossConfig> {
  const fn = 'asymmetricLoss';
  checkOptions(fn, options);
  const gammaPos = checkNonNegative(fn, 'gammaPos', options.gammaPos ?? 0);
  const gammaNeg = checkNonNegative(fn, 'gammaNeg', options.gammaNeg ?? 4);
  const clip = checkFraction(fn, 'clip', options.clip ?? 0.05);
  const reduction = checkOneOf(fn, 'reduction', options.reduction ?? 'mean', REDUCTIONS);
  return makeLoss({ type: 'asymmetricLoss', gammaPos, gammaNeg, clip, reduction }, (yTrue, yPred) => {
    const logits = checkFloatTensor(fn, 'yPred', yPred, [1, 2]);
    const targets = elementTargets(fn, yTrue, logits);
    // Positive term: −log p = softplus(−z), (1 − p)^γ+ = σ(−z)^γ+ = exp(−γ+ · softplus(z)).
    let positive = tf.softplus(tf.neg(logits));
    if (gammaPos > 0) positive = tf.mul(positive, tf.exp(tf.mul(tf.softplus(logits), -gammaPos)));
    // Negative term on the shifted probability p_m.
    let negative: tf.Tensor;
    if (clip === 0) {
      // −log(1 − p) = softplus(z), p^γ− = exp(−γ− · softplus(−z)).
      negative = tf.softplus(logits);
      if (gammaNeg > 0) negative = tf.mul(negative, tf.exp(tf.mul(tf.softplus(tf.neg(logits)), -gammaNeg)));
    } else {
      // 1 − p_m = min(σ(−z) + clip, 1) ≥ clip, so its log is finite.
      const oneMinusShifted = tf.minimum(tf.add(tf.sigmoid(tf.neg(logits)), clip), 1);
      negative = tf.neg(tf.log(oneMinusShifted));
      if (gammaNeg > 0) negative = tf.mul(negative, safePow(tf.sub(1, oneMinusShifted), gammaNeg));
    }
    const loss = tf.add(tf.mul(targets, positive), tf.mul(tf.sub(1, targets), negative));
    return reduce(meanOverClasses(loss), reduction);
  });
}
