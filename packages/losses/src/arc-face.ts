import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, type RngSeed } from '@topk/core';
import { MarginSoftmaxLoss } from './margin-softmax-loss.js';
import { REDUCTIONS, type Reduction } from './reduction.js';
import { checkBoolean, checkOneOf, checkOptions, checkPositive, isFiniteNumber } from './validate.js';
import { withoutGradient } from './without-gradient.js';

/** Options of {@link ArcFace}. */
export interface ArcFaceOptions<R extends Reduction = Reduction> {
  /** Size D of the embeddings. */
  readonly embeddingSize: number;
  /** Number of classes (identities). */
  readonly numClasses: number;
  /**
   * Scale s of the logits (the radius of the hypersphere).
   * @defaultValue 30
   */
  readonly scale?: number;
  /**
   * Additive angular margin m in radians, in [0, π).
   * @defaultValue 0.5
   */
  readonly margin?: number;
  /**
   * Apply the margin only where cos θ > 0 and leave other target logits as cos θ, instead of the
   * `cos θ − m · sin m` fallback past θ + m > π.
   * @defaultValue false
   */
  readonly easyMargin?: boolean;
  /**
   * Sub-centres per class (sub-center ArcFace, Deng et al. 2020); each class's cosine is the largest
   * over its sub-centres. 3 is the paper's choice for noisy data.
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

/** Config of {@link ArcFace} (weights not included: save `arcFace.weights` separately). */
export interface ArcFaceConfig {
  readonly type: 'arcFace';
  readonly embeddingSize: number;
  readonly numClasses: number;
  readonly scale: number;
  readonly margin: number;
  readonly easyMargin: boolean;
  readonly subCenters: number;
  readonly seed: RngSeed;
  readonly reduction: Reduction;
}

/** Parameters of {@link additiveAngularMargin}. */
export interface AdditiveAngularMarginParams {
  readonly scale: number;
  readonly margin: number;
  readonly easyMargin: boolean;
}

/**
 * ArcFace logits from cosines [N, C] and targets [N, C]:
 * `s · (t · φ + (1 − t) · cos θ)` with φ = cos(θ + m) = cos θ · cos m − sin θ · sin m, and where
 * θ + m > π (cos θ ≤ cos(π − m)) φ = cos θ − m · sin m instead, keeping the target logit decreasing in θ
 * (insightface); with `easyMargin`, φ = cos θ wherever cos θ ≤ 0.
 */
export function additiveAngularMargin(
  cos: tf.Tensor2D,
  targets: tf.Tensor2D,
  params: AdditiveAngularMarginParams,
): tf.Tensor2D {
  const { scale, margin, easyMargin } = params;
  // sin θ = √(1 − cos²θ); the floor keeps its gradient finite where |cos θ| = 1.
  const sin = tf.sqrt(tf.maximum(tf.sub(1, tf.square(cos)), 1e-12));
  const phi = tf.sub(tf.mul(cos, Math.cos(margin)), tf.mul(sin, Math.sin(margin)));
  const threshold = easyMargin ? 0 : Math.cos(Math.PI - margin);
  const useMargin = withoutGradient((c) => tf.greater(c, threshold), cos);
  const fallback = easyMargin ? cos : tf.sub(cos, margin * Math.sin(margin));
  const target = tf.where(useMargin, phi, fallback);
  return tf.mul(tf.add(tf.mul(targets, target), tf.mul(tf.sub(1, targets), cos)), scale) as tf.Tensor2D;
}

/**
 * ArcFace, additive angular margin loss (Deng et al. 2019), the loss of the humpback-whale solution
 * (field note 002), with sub-centres (Deng et al. 2020). It owns the class centres as a trainable
 * `tf.Variable` ([embeddingSize, numClasses · subCenters]), so an optimizer minimising
 * {@link ArcFace.loss} trains them with the network. Call {@link ArcFace.dispose} when done.
 *
 * The loss is softmax cross-entropy over {@link additiveAngularMargin} logits of the cosines between the
 * L2-normalised embeddings and class centres. With margin 0 it is cross-entropy on `scale · cos θ`.
 *
 * @example
 * ```ts
 * const arcFace = new ArcFace({ embeddingSize: 256, numClasses: 5000, scale: 30, margin: 0.5, seed: 1 });
 * optimizer.minimize(() => arcFace.loss(model.apply(images) as tf.Tensor2D, labels));
 * const scores = arcFace.logits(embeddings); // for prediction: scale · cos θ, no margin
 * arcFace.dispose();
 * ```
 */
export class ArcFace<R extends Reduction = 'mean'> extends MarginSoftmaxLoss<ArcFaceConfig, R> {
  constructor(options: ArcFaceOptions<R>) {
    super('ArcFace', arcFaceConfig(options), options.name);
  }

  /** Rebuilds an instance (freshly initialised from the config's seed) from {@link ArcFace.toConfig}. */
  static fromConfig(config: ArcFaceConfig): ArcFace<Reduction> {
    if (typeof config !== 'object' || config === null || config.type !== 'arcFace') {
      throw new InvalidArgumentError('ArcFace.fromConfig', 'config.type', "'arcFace'", config?.type);
    }
    const { type: _type, ...options } = config;
    return new ArcFace(options);
  }

  /** {@link additiveAngularMargin} on the targets. */
  protected marginFromCosine(cosine: tf.Tensor2D, targets: tf.Tensor2D): tf.Tensor2D {
    return additiveAngularMargin(cosine, targets, this.toConfig());
  }
}

function arcFaceConfig<R extends Reduction>(options: ArcFaceOptions<R>): ArcFaceConfig {
  const fn = 'ArcFace';
  checkOptions(fn, options);
  const scale = checkPositive(fn, 'scale', options.scale ?? 30);
  const margin = options.margin ?? 0.5;
  if (!isFiniteNumber(margin) || margin < 0 || margin >= Math.PI) {
    throw new InvalidArgumentError(fn, 'margin', 'in [0, π) radians', margin);
  }
  const easyMargin = checkBoolean(fn, 'easyMargin', options.easyMargin ?? false);
  const reduction = checkOneOf(fn, 'reduction', options.reduction ?? 'mean', REDUCTIONS);
  return Object.freeze({
    type: 'arcFace',
    embeddingSize: options.embeddingSize,
    numClasses: options.numClasses,
    scale,
    margin,
    easyMargin,
    subCenters: options.subCenters ?? 1,
    seed: options.seed ?? 0,
    reduction,
  });
}
