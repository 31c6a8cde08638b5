import type * as tf from '@tensorflow/tfjs-core';

/**
 * A batch of images on its way into or out of a model.
 *
 * Tensors in a batch belong to whoever holds the batch: dispose `images` and `labels` when done.
 */
export interface ImageBatch {
  /** Images as `[N, height, width, channels]` (NHWC) float32. */
  readonly images: tf.Tensor4D;
  /**
   * Targets for the images: int32 `[N]` class indices (single-label), or float32 `[N, C]` multi-hot or
   * soft targets (multi-label, label smoothing, mixup).
   */
  readonly labels?: tf.Tensor;
  /** Sample identifiers, one per image, in batch order. */
  readonly ids?: readonly string[];
}

/** The label of a single-label sample: a class index into a {@link ClassVocabulary}. */
export type SingleLabel = number;

/** The labels of a multi-label sample: class indices into a {@link ClassVocabulary}, in any order. */
export type MultiLabel = readonly number[];

/**
 * Per-sample class probabilities for a set of samples: the common currency of prediction, ensembling
 * and thresholding. Build one with {@link createPredictionTable}, which checks the invariants.
 */
export interface PredictionTable {
  /** Sample identifiers, one per row, unique. */
  readonly ids: readonly string[];
  /** Class names, one per column, unique. */
  readonly classes: readonly string[];
  /** Probabilities, row-major `ids.length × classes.length`: row `i` starts at `i * classes.length`. */
  readonly probs: Float32Array;
}
