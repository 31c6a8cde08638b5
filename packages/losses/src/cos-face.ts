import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, type RngSeed } from '@topk/core';
import { MarginSoftmaxLoss } from './margin-softmax-loss.js';
import { REDUCTIONS, type Reduction } from './reduction.js';
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
export class CosFace<R extends Reduction = 'mean'> extends MarginSoftmaxLoss<CosFaceConfig, R> {
  constructor(options: CosFaceOptions<R>) {
    super('CosFace', cosFaceConfig(options), options.name);
  }

  /** Rebuilds an instance (freshly initialised from the config's seed) from {@link CosFace.toConfig}. */
  static fromConfig(config: CosFaceConfig): CosFace<Reduction> {
    if (typeof config !== 'object' || config === null || config.type !== 'cosFace') {
      throw new InvalidArgumentError('CosFace.fromConfig', 'config.type', "'cosFace'", config?.type);
    }
    const { type: _type, ...options } = config;
    return new CosFace(options);
  }

  /** `scale · (cos θ − margin · t)`. */
  protected marginFromCosine(cosine: tf.Tensor2D, targets: tf.Tensor2D): tf.Tensor2D {
    const { scale, margin } = this.toConfig();
    return tf.mul(tf.sub(cosine, tf.mul(targets, margin)), scale) as tf.Tensor2D;
  }
}

function cosFaceConfig<R extends Reduction>(options: CosFaceOptions<R>): CosFaceConfig {
  const fn = 'CosFace';
  checkOptions(fn, options);
  const scale = checkPositive(fn, 'scale', options.scale ?? 30);
  const margin = checkNonNegative(fn, 'margin', options.margin ?? 0.35);
  const reduction = checkOneOf(fn, 'reduction', options.reduction ?? 'mean', REDUCTIONS);
  return Object.freeze({
    type: 'cosFace',
    embeddingSize: options.embeddingSize,
    numClasses: options.numClasses,
    scale,
    margin,
    subCenters: options.subCenters ?? 1,
    seed: options.seed ?? 0,
    reduction,
  });
}
