import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, type RngSeed } from '@topk/core';
import { CosineClassifier } from './cosine-classifier.js';
import { softmaxCrossEntropy } from './cross-entropy.js';
import { REDUCTIONS, type ReducedLoss, type Reduction, reduce } from './reduction.js';
import { checkNonNegative, checkOneOf, checkOptions, checkPositive } from './validate.js';

/** Options of {@link CosFace}. */
export interface CosFaceOptions<R extends Reduction = Reduction> {
  /** Size D of the embeddings. */
  readonly embeddingSize: number;
  /** Number of classes (identities). */
  readonly numClasses: number;
  /**
   * Scale s of the logits.
   * @defaultValue 30
   */
  readonly scale?: number;
  /**
   * Additive cosine margin m (the paper's 0.35).
   * @defaultValue 0.35
   */
  readonly margin?: number;
  /**
   * Sub-centres per class; each class's cosine is the largest over its sub-centres.
   * @defaultValue 1
   */
  readonly subCenters?: number;
  /**
   * Seed of the weight initialisation.
   * @defaultValue 0
   */
  readonly seed?: RngSeed;
  /** Name of the weight variable (must be unique among live variables); tfjs picks one when absent. */
  readonly name?: string;
  /**
   * `'mean'` or `'sum'` over the batch, or `'none'` for per-example losses of shape [N].
   * @defaultValue 'mean'
   */
  readonly reduction?: R;
}

/** Config of {@link CosFace} (weights not included: save `cosFace.weights` separately). */
export interface CosFaceConfig {
  readonly type: 'cosFace';
  readonly embeddingSize: number;
  readonly numClasses: number;
  readonly scale: number;
  readonly margin: number;
  readonly subCenters: number;
  readonly seed: RngSeed;
  readonly reduction: Reduction;
}

/**
 * CosFace, large margin cosine loss (Wang et al. 2018): softmax cross-entropy over
 * `s · (cos θ − m · t)`, cos θ between the L2-normalised embeddings and the class centres it owns as a
 * trainable `tf.Variable` ([embeddingSize, numClasses · subCenters]). Call {@link CosFace.dispose} when done.
 *
 * @example
 * ```ts
 * const cosFace = new CosFace({ embeddingSize: 128, numClasses: 100, seed: 1 });
 * optimizer.minimize(() => cosFace.loss(embeddings, labels));
 * ```
 */
export class CosFace<R extends Reduction = 'mean'> {
  readonly #classifier: CosineClassifier;
  readonly #config: CosFaceConfig;

  constructor(options: CosFaceOptions<R>) {
    const fn = 'CosFace';
    checkOptions(fn, options);
    const scale = checkPositive(fn, 'scale', options.scale ?? 30);
    const margin = checkNonNegative(fn, 'margin', options.margin ?? 0.35);
    const reduction = checkOneOf(fn, 'reduction', options.reduction ?? 'mean', REDUCTIONS);
    const seed = options.seed ?? 0;
    const { embeddingSize, numClasses } = options;
    const subCenters = options.subCenters ?? 1;
    this.#classifier = new CosineClassifier(
      fn,
      { embeddingSize, numClasses, subCenters },
      seed,
      options.name,
    );
    this.#config = Object.freeze({
      type: 'cosFace',
      embeddingSize,
      numClasses,
      scale,
      margin,
      subCenters,
      seed,
      reduction,
    });
  }

  /** Rebuilds an instance (freshly initialised from the config's seed) from {@link CosFace.toConfig}. */
  static fromConfig(config: CosFaceConfig): CosFace<Reduction> {
    if (typeof config !== 'object' || config === null || config.type !== 'cosFace') {
      throw new InvalidArgumentError('CosFace.fromConfig', 'config.type', "'cosFace'", config?.type);
    }
    const { type: _type, ...options } = config;
    return new CosFace(options);
  }

  /** The class centres, shape [embeddingSize, numClasses · subCenters], column c · subCenters + k. */
  get weights(): tf.Variable<tf.Rank.R2> {
    return this.#classifier.weights;
  }

  /** Scaled cosines `scale · cos θ` of shape [N, numClasses], without margin: the scores to predict with. */
  logits(embeddings: tf.Tensor2D): tf.Tensor2D {
    const e = this.#classifier.checkEmbeddings('logits', embeddings);
    return tf.tidy(() => tf.mul(this.#classifier.cosine(e), this.#config.scale) as tf.Tensor2D);
  }

  /** The training logits `scale · (cos θ − margin · t)` of shape [N, numClasses]. */
  marginLogits(embeddings: tf.Tensor2D, labels: tf.Tensor): tf.Tensor2D {
    const e = this.#classifier.checkEmbeddings('marginLogits', embeddings);
    return tf.tidy(() => this.#marginLogits(this.#classifier.targets('marginLogits', labels, e.shape[0]), e));
  }

  /**
   * The CosFace loss of a batch.
   * @param embeddings - float32, shape [N, embeddingSize]; normalised here.
   * @param labels - int32 class indices of shape [N], or float32 one-hot/soft targets [N, numClasses].
   */
  loss(embeddings: tf.Tensor2D, labels: tf.Tensor): ReducedLoss<R> {
    const e = this.#classifier.checkEmbeddings('loss', embeddings);
    return tf.tidy(() => {
      const targets = this.#classifier.targets('loss', labels, e.shape[0]);
      return reduce(softmaxCrossEntropy(targets, this.#marginLogits(targets, e)), this.#config.reduction);
    }) as ReducedLoss<R>;
  }

  /** The options, defaults filled in, as plain JSON (without the weights). */
  toConfig(): CosFaceConfig {
    return this.#config;
  }

  /** Frees the weight variable. */
  dispose(): void {
    this.#classifier.dispose();
  }

  #marginLogits(targets: tf.Tensor2D, embeddings: tf.Tensor2D): tf.Tensor2D {
    const { scale, margin } = this.#config;
    return tf.mul(tf.sub(this.#classifier.cosine(embeddings), tf.mul(targets, margin)), scale) as tf.Tensor2D;
  }
}
