import * as tf from '@tensorflow/tfjs-core';
import { EMBEDDING_DISTANCES, type EmbeddingDistance, labelMasks, pairwiseDistances } from './distances.js';
import { type LossFunction, makeLoss } from './loss.js';
import { checkLabels } from './triplet-loss.js';
import { checkFloatTensor, checkNonNegative, checkOneOf, checkOptions } from './validate.js';

/** Options of {@link contrastiveLoss}. */
export interface ContrastiveLossOptions {
  /**
   * Margin m: pairs of different classes cost nothing once they are at least m apart.
   * @defaultValue 1
   */
  readonly margin?: number;
  /**
   * Distance between embeddings.
   * @defaultValue 'euclidean'
   */
  readonly distance?: EmbeddingDistance;
}

/** Config of {@link contrastiveLoss}. */
export interface ContrastiveLossConfig {
  readonly type: 'contrastiveLoss';
  readonly margin: number;
  readonly distance: EmbeddingDistance;
}

/**
 * Contrastive (margin) loss (Hadsell, Chopra & LeCun 2006, eq. 4), the Siamese "margin loss" of the
 * humpback-whale competition (field note 002), over every pair i < j of the batch: `½ · d²` for pairs of
 * the same class and `½ · max(m − d, 0)²` for pairs of different classes, averaged over the pairs.
 * `yTrue` is the class label of each embedding, shape [N]; `yPred` is float32 embeddings [N, D]. Returns a
 * scalar (0 for a batch of one).
 *
 * @example
 * ```ts
 * const loss = contrastiveLoss({ margin: 1 });
 * const value = loss(labels, embeddings);
 * ```
 */
export function contrastiveLoss(
  options: ContrastiveLossOptions = {},
): LossFunction<tf.Scalar, ContrastiveLossConfig> {
  const fn = 'contrastiveLoss';
  checkOptions(fn, options);
  const margin = checkNonNegative(fn, 'margin', options.margin ?? 1);
  const distance = checkOneOf(fn, 'distance', options.distance ?? 'euclidean', EMBEDDING_DISTANCES);
  return makeLoss({ type: 'contrastiveLoss', margin, distance }, (yTrue, yPred) => {
    const embeddings = checkFloatTensor(fn, 'yPred', yPred, [2]) as tf.Tensor2D;
    const n = embeddings.shape[0];
    const labels = checkLabels(fn, yTrue, n);
    const { positive } = labelMasks(labels);
    const d = pairwiseDistances(embeddings, distance);
    const pull = tf.square(d);
    const push = tf.square(tf.relu(tf.sub(margin, d)));
    const perPair = tf.mul(tf.where(positive, pull, push), 0.5);
    // Each unordered pair appears twice in the [N, N] matrix, the diagonal not at all.
    const offDiagonal = tf.sub(1, tf.eye(n));
    const pairs = Math.max((n * (n - 1)) / 2, 1);
    return tf.div(tf.sum(tf.mul(perPair, offDiagonal)), 2 * pairs);
  });
}
