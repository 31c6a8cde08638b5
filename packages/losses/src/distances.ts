import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from './cosine-classifier.js';
import { withoutGradient } from './without-gradient.js';

/** How metric-learning losses measure the distance between two embeddings. */
export type EmbeddingDistance = 'euclidean' | 'squaredEuclidean' | 'cosine';

export const EMBEDDING_DISTANCES: readonly EmbeddingDistance[] = ['euclidean', 'squaredEuclidean', 'cosine'];

/**
 * Distances between all pairs of rows of `x` ([N, D]), shape [N, N]. Euclidean distance is the square
 * root of ‖a‖² − 2a·b + ‖b‖² (clamped at 0); where that is 0 (the diagonal, duplicate embeddings) the root
 * is taken of 1 and replaced by 0, so its gradient is 0 instead of NaN. Cosine distance is
 * 1 − cos(a, b).
 */
export function pairwiseDistances(x: tf.Tensor2D, distance: EmbeddingDistance): tf.Tensor2D {
  if (distance === 'cosine') {
    const unit = l2Normalize(x);
    return tf.sub(1, tf.matMul(unit, unit, false, true)) as tf.Tensor2D;
  }
  const squaredNorms = tf.sum(tf.square(x), -1);
  const squared = tf.relu(
    tf.add(
      tf.sub(tf.expandDims(squaredNorms, 1), tf.mul(tf.matMul(x, x, false, true), 2)),
      tf.expandDims(squaredNorms, 0),
    ),
  ) as tf.Tensor2D;
  if (distance === 'squaredEuclidean') return squared;
  const positive = withoutGradient((s) => tf.greater(s, 0), squared);
  return tf.where(
    positive,
    tf.sqrt(tf.where(positive, squared, tf.onesLike(squared))),
    tf.zerosLike(squared),
  );
}

/** Masks [N, N] of same-label pairs and of different-label pairs, the diagonal excluded from both. */
export function labelMasks(labels: tf.Tensor1D): {
  readonly positive: tf.Tensor2D;
  readonly negative: tf.Tensor2D;
} {
  const n = labels.shape[0];
  const same = tf.equal(tf.expandDims(labels, 1), tf.expandDims(labels, 0)) as tf.Tensor2D;
  const notDiagonal = tf.logicalNot(tf.cast(tf.eye(n), 'bool')) as tf.Tensor2D;
  return { positive: tf.logicalAnd(same, notDiagonal), negative: tf.logicalNot(same) };
}
