import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@topk/core';
import { checkPositive } from './validate.js';

/** Output of {@link clipByGlobalNorm}. */
export interface ClippedGradients {
  /** The gradients, scaled down together when their global norm exceeded the limit. */
  readonly gradients: tf.Tensor[];
  /** The global L2 norm before clipping, `√Σ‖gᵢ‖²`. */
  readonly norm: tf.Scalar;
}

/**
 * Scales a list of gradients so that their global L2 norm is at most `maxNorm`, as PyTorch's
 * `clip_grad_norm_`: the factor is `min(1, maxNorm / (norm + 1e-6))`. Returns new tensors (the caller
 * disposes them and the inputs); call it inside `tf.tidy`.
 * @param gradients - the gradients, any shapes.
 * @param maxNorm - the largest allowed global norm, > 0.
 */
export function clipByGlobalNorm(gradients: readonly tf.Tensor[], maxNorm: number): ClippedGradients {
  const fn = 'clipByGlobalNorm';
  if (
    !Array.isArray(gradients) ||
    gradients.length === 0 ||
    !gradients.every((g) => g instanceof tf.Tensor)
  ) {
    throw new InvalidArgumentError(fn, 'gradients', 'a non-empty array of tensors', gradients);
  }
  checkPositive(fn, 'maxNorm', maxNorm);
  return tf.tidy(() => {
    const squares = gradients.map((g) => tf.sum(tf.square(g)));
    const norm = tf.sqrt(tf.addN(squares)) as tf.Scalar;
    const factor = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
    return { gradients: gradients.map((g) => tf.mul(g, factor)), norm };
  });
}
