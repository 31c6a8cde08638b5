import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@topk/core';
import { EMBEDDING_DISTANCES, type EmbeddingDistance, labelMasks, pairwiseDistances } from './distances.js';
import { type LossFunction, makeLoss } from './loss.js';
import { checkFloatTensor, checkNonNegative, checkOneOf, checkOptions, checkTensor } from './validate.js';
import { withoutGradient } from './without-gradient.js';

/** Which triplets of a batch {@link tripletLoss} trains on. */
export type TripletMining = 'batchAll' | 'batchHard' | 'semiHard';

export const TRIPLET_MININGS: readonly TripletMining[] = ['batchAll', 'batchHard', 'semiHard'];

/** Options of {@link tripletLoss}. */
export interface TripletLossOptions {
  /**
   * Margin α: a triplet costs `max(d(a, p) − d(a, n) + α, 0)`.
   * @defaultValue 0.2
   */
  readonly margin?: number;
  /**
   * `'batchAll'`: every valid triplet, averaged over those with a positive loss (Hermans et al. 2017,
   * "batch all ≠ 0"). `'batchHard'`: per anchor, its farthest positive and nearest negative, averaged over
   * anchors that have both (Hermans et al. 2017). `'semiHard'`: per anchor–positive pair, the nearest
   * negative farther than the positive, or the farthest negative when there is none, averaged over pairs
   * (FaceNet, Schroff et al. 2015; TensorFlow Addons' `TripletSemiHardLoss`).
   * @defaultValue 'batchHard'
   */
  readonly mining?: TripletMining;
  /**
   * Distance between embeddings.
   * @defaultValue 'euclidean'
   */
  readonly distance?: EmbeddingDistance;
}

/** Config of {@link tripletLoss}. */
export interface TripletLossConfig {
  readonly type: 'tripletLoss';
  readonly margin: number;
  readonly mining: TripletMining;
  readonly distance: EmbeddingDistance;
}

/** Labels of shape [N] (any numeric dtype; compared for equality) for embeddings [N, D]. */
export function checkLabels(fn: string, yTrue: unknown, n: number): tf.Tensor1D {
  const labels = checkTensor(fn, 'yTrue', yTrue);
  if (
    labels.rank !== 1 ||
    labels.shape[0] !== n ||
    labels.dtype === 'string' ||
    labels.dtype === 'complex64'
  ) {
    throw new InvalidArgumentError(fn, 'yTrue', `numeric class labels of shape [${n}]`, labels);
  }
  return labels as tf.Tensor1D;
}

/** Sum of `values` where `mask`, divided by the number of such entries (0 when there are none). */
function maskedMean(values: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  const count = tf.sum(tf.cast(mask, 'float32'));
  return tf.div(tf.sum(tf.where(mask, values, tf.zerosLike(values))), tf.maximum(count, 1));
}

function batchAll(d: tf.Tensor2D, positive: tf.Tensor2D, negative: tf.Tensor2D, margin: number): tf.Scalar {
  // loss[a, p, n] = d[a, p] − d[a, n] + margin for every valid triplet.
  const losses = tf.relu(tf.add(tf.sub(tf.expandDims(d, 2), tf.expandDims(d, 1)), margin));
  const valid = tf.logicalAnd(tf.expandDims(positive, 2), tf.expandDims(negative, 1));
  return maskedMean(
    losses,
    withoutGradient((l) => tf.logicalAnd(valid, tf.greater(l, 0)), losses),
  );
}

function batchHard(d: tf.Tensor2D, positive: tf.Tensor2D, negative: tf.Tensor2D, margin: number): tf.Scalar {
  const hardestPositive = tf.max(tf.where(positive, d, tf.fill(d.shape, Number.NEGATIVE_INFINITY)), 1);
  const hardestNegative = tf.min(tf.where(negative, d, tf.fill(d.shape, Number.POSITIVE_INFINITY)), 1);
  const valid = tf.logicalAnd(tf.any(positive, 1), tf.any(negative, 1));
  return maskedMean(tf.relu(tf.add(tf.sub(hardestPositive, hardestNegative), margin)), valid);
}

function semiHard(d: tf.Tensor2D, positive: tf.Tensor2D, negative: tf.Tensor2D, margin: number): tf.Scalar {
  const n = d.shape[0];
  // For pair (a, p): negatives n of a with d[a, n] > d[a, p], shape [N, N, N].
  const anchorNegative = tf.expandDims(d, 1);
  const farther = withoutGradient(
    (x) => tf.logicalAnd(tf.expandDims(negative, 1), tf.greater(tf.expandDims(x, 1), tf.expandDims(x, 2))),
    d,
  );
  const hasFarther = withoutGradient((f) => tf.any(f, 2), farther);
  const nearestFarther = tf.min(
    tf.where(
      farther,
      tf.broadcastTo(anchorNegative, [n, n, n]),
      tf.fill([n, n, n], Number.POSITIVE_INFINITY),
    ),
    2,
  );
  const farthest = tf.max(tf.where(negative, d, tf.fill(d.shape, Number.NEGATIVE_INFINITY)), 1, true);
  const chosen = tf.where(hasFarther, nearestFarther, tf.broadcastTo(farthest, [n, n]));
  const valid = tf.logicalAnd(positive, tf.any(negative, 1, true));
  return maskedMean(tf.relu(tf.add(tf.sub(d, chosen), margin)), valid);
}

/**
 * Triplet loss with online mining (the first approach of the humpback-whale solution, field note 002):
 * `yTrue` is the class label of each embedding, shape [N] (any numeric dtype); `yPred` is float32
 * embeddings [N, D]. Triplets (anchor, positive of the same class, negative of another class) are formed
 * inside the batch according to `mining`; a batch without any valid triplet gives 0. Returns a scalar.
 *
 * Batches should hold several examples per class (P classes × K examples, Hermans et al. 2017).
 *
 * @example
 * ```ts
 * const loss = tripletLoss({ margin: 0.3, mining: 'batchHard' });
 * const value = loss(labels, embeddings);
 * ```
 */
export function tripletLoss(options: TripletLossOptions = {}): LossFunction<tf.Scalar, TripletLossConfig> {
  const fn = 'tripletLoss';
  checkOptions(fn, options);
  const margin = checkNonNegative(fn, 'margin', options.margin ?? 0.2);
  const mining = checkOneOf(fn, 'mining', options.mining ?? 'batchHard', TRIPLET_MININGS);
  const distance = checkOneOf(fn, 'distance', options.distance ?? 'euclidean', EMBEDDING_DISTANCES);
  const mine = { batchAll, batchHard, semiHard }[mining];
  return makeLoss({ type: 'tripletLoss', margin, mining, distance }, (yTrue, yPred) => {
    const embeddings = checkFloatTensor(fn, 'yPred', yPred, [2]) as tf.Tensor2D;
    const labels = checkLabels(fn, yTrue, embeddings.shape[0]);
    const { positive, negative } = labelMasks(labels);
    return mine(pairwiseDistances(embeddings, distance), positive, negative, margin);
  });
}
