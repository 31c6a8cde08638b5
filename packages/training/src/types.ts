import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Rng } from '@topk/core';

/**
 * A batch on its way into the training loop: `@topk/core`'s `ImageBatch` fits, and so do batches of
 * precomputed features (rank 2). The loop owns the batches it is given and disposes their tensors.
 */
export interface Batch {
  /** Model inputs, `[N, ...]`: NHWC images, or `[N, D]` features. */
  readonly images: tf.Tensor;
  /**
   * Targets: int32 `[N]` class indices (single-label), float32 `[N, C]` multi-hot or soft targets
   * (multi-label, mixup), or whatever a metric-learning loss takes.
   */
  readonly labels?: tf.Tensor;
  /** Sample identifiers, one per image, in batch order. */
  readonly ids?: readonly string[];
}

/** One pass over some batches: an array, a generator, the data pipeline's stream. */
export type BatchSource = AsyncIterable<Batch> | Iterable<Batch>;

/**
 * Training data: a factory called once per epoch with the epoch index (0-based) and a child {@link Rng}
 * of the learner's, split at the start of that epoch. The factory may change anything with the epoch
 * (image size for progressive resizing, the class subset); randomness drawn from `rng` is replayed exactly
 * on resume.
 */
export interface EpochData {
  (epoch: number, rng: Rng): BatchSource;
  /** Batches each epoch yields, when known: needed by the recipes that plan a whole-run schedule. */
  readonly batchesPerEpoch?: number;
}

/**
 * A loss on model outputs: `(yTrue, yPred) => scalar`, differentiable in `yPred`. `@topk/losses`'s
 * functions fit. Built-in losses carry a `task` that tells the loop which metrics to compute.
 */
export interface LossFunction {
  (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor;
  /** Which kind of training the loss is for; inferred from the labels when absent. */
  readonly task?: Task;
}

/**
 * A metric-learning loss that owns trainable variables (ArcFace's class centres, a proxy matrix). The
 * model outputs embeddings; the loss's variables are optimised together with the model's.
 */
export interface MetricLoss {
  /** The loss of a batch of embeddings, a scalar. */
  loss(embeddings: tf.Tensor, labels: tf.Tensor): tf.Tensor;
  /** Variables the loss owns, trained with the model (saved in checkpoints too). */
  readonly trainableVariables?: readonly tf.Variable[];
  /** A single variable the loss owns (as `@topk/losses`' ArcFace exposes); used when `trainableVariables` is absent. */
  readonly weights?: tf.Variable;
  /** Class scores from embeddings, when the loss can give them: enables the accuracy metric. */
  logits?(embeddings: tf.Tensor): tf.Tensor;
}

/**
 * What is trained, which decides the metrics and the output activation:
 * - `single-label`: one class per sample; accuracy; softmax.
 * - `multi-label`: independent classes; micro-F1 at 0.5; sigmoid.
 * - `metric`: embeddings for a {@link MetricLoss}; accuracy when the loss has `logits`.
 */
export type Task = 'single-label' | 'multi-label' | 'metric';

/** A learning-rate schedule: the learning rate for an optimizer step (0-based within a fit). */
export type Schedule = (step: number) => number;

/** A tfjs-layers model: the `LayersModel` the loop trains. */
export type Model = LayersModel;

/** A layer of a {@link Model}. */
export type Layer = LayersModel['layers'][number];

/** Per-epoch or per-batch logs: metric name to value. */
export type Logs = Record<string, number>;
