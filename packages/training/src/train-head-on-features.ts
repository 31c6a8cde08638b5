import { InvalidArgumentError, type RngSeed } from '@topk/core';
import { arrayBatches } from './array-batches.js';
import type { Callback } from './callback.js';
import { type FitResult, Learner } from './learner.js';
import type { Optimizer } from './optimizer.js';
import type { FeatureSet } from './precompute-features.js';
import type { LossFunction, Model, Schedule, Task } from './types.js';
import { checkOptions, checkPositive, checkPositiveInteger } from './validate.js';

/** Options of {@link trainHeadOnFeatures}. */
export interface TrainHeadOnFeaturesOptions {
  /** Epochs over the features (cheap: many are affordable). */
  readonly epochs: number;
  /**
   * Rows per batch.
   * @defaultValue 64
   */
  readonly batchSize?: number;
  /** Peak rate of a one-cycle schedule; give this or `schedule`. */
  readonly maxLr?: number;
  /** A schedule instead of one-cycle. */
  readonly schedule?: Schedule;
  /** @defaultValue `adamW()` */
  readonly optimizer?: Optimizer;
  /** @defaultValue chosen from the labels, as {@link Learner} */
  readonly loss?: LossFunction;
  readonly task?: Task;
  /**
   * Seed of the shuffling and of the learner.
   * @defaultValue 0
   */
  readonly seed?: RngSeed;
  /** Validation features (their metrics appear in the logs). */
  readonly valid?: FeatureSet;
  readonly callbacks?: readonly Callback[];
}

/** What {@link trainHeadOnFeatures} returns. */
export interface TrainHeadOnFeaturesResult {
  /** The learner that trained the head (evaluate or predict more features with it). */
  readonly learner: Learner;
  readonly result: FitResult;
}

function featureBatches(
  fn: string,
  set: FeatureSet,
  argument: string,
  batchSize: number,
  seed: RngSeed | undefined,
) {
  if (
    typeof set !== 'object' ||
    set === null ||
    !(set.features instanceof Float32Array) ||
    set.labels === undefined
  ) {
    throw new InvalidArgumentError(fn, argument, 'a labelled FeatureSet from precomputeFeatures', set);
  }
  return arrayBatches(set.features, set.labels, [set.dim], {
    batchSize,
    ...(seed === undefined ? {} : { shuffle: true, seed }),
  });
}

/**
 * Trains a head (a small model on `[N, dim]` inputs) on precomputed features for many epochs: the second
 * half of precompute (field notes 000 and 004).
 */
export async function trainHeadOnFeatures(
  head: Model,
  features: FeatureSet,
  options: TrainHeadOnFeaturesOptions,
): Promise<TrainHeadOnFeaturesResult> {
  const fn = 'trainHeadOnFeatures';
  checkOptions(fn, options);
  const epochs = checkPositiveInteger(fn, 'epochs', options.epochs);
  const batchSize = checkPositiveInteger(fn, 'batchSize', options.batchSize ?? 64);
  const seed = options.seed ?? 0;
  if (options.maxLr === undefined && options.schedule === undefined) {
    throw new InvalidArgumentError(fn, 'options', 'maxLr or schedule', options);
  }
  const learner = new Learner({
    model: head,
    train: featureBatches(fn, features, 'features', batchSize, seed),
    ...(options.valid === undefined
      ? {}
      : { valid: featureBatches(fn, options.valid, 'valid', 256, undefined) }),
    ...(options.optimizer === undefined ? {} : { optimizer: options.optimizer }),
    ...(options.loss === undefined ? {} : { loss: options.loss }),
    ...(options.task === undefined ? {} : { task: options.task }),
    ...(options.callbacks === undefined ? {} : { callbacks: options.callbacks }),
    seed,
  });
  const result =
    options.maxLr !== undefined
      ? await learner.fitOneCycle(epochs, checkPositive(fn, 'maxLr', options.maxLr))
      : await learner.fit(epochs, { schedule: options.schedule! });
  return { learner, result };
}
