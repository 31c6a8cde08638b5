import * as tf from '@tensorflow/tfjs-core';
import type { RngSeed } from '@topk/core';
import { CosineClassifier } from './cosine-classifier.js';
import { softmaxCrossEntropy } from './cross-entropy.js';
import { type ReducedLoss, type Reduction, reduce } from './reduction.js';

/** The config fields every margin softmax loss has. */
export interface MarginSoftmaxConfig {
  readonly embeddingSize: number;
  readonly numClasses: number;
  readonly scale: number;
  readonly subCenters: number;
  readonly seed: RngSeed;
  readonly reduction: Reduction;
}

/**
 * What ArcFace and CosFace share: class centres owned as a trainable variable, `scale · cos θ` logits for
 * prediction, softmax cross-entropy over the margin logits for training, the plain-JSON config and
 * disposal. A subclass says only how its margin enters the target logits ({@link marginFromCosine}).
 */
export abstract class MarginSoftmaxLoss<C extends MarginSoftmaxConfig, R extends Reduction> {
  readonly #classifier: CosineClassifier;
  readonly #config: C;

  /**
   * @param fn - the class name, for error messages.
   * @param config - the validated options, defaults filled in (the shape fields are checked here).
   */
  protected constructor(fn: string, config: C, name: string | undefined) {
    const { embeddingSize, numClasses, subCenters } = config;
    this.#classifier = new CosineClassifier(fn, { embeddingSize, numClasses, subCenters }, config.seed, name);
    this.#config = config;
  }

  /** The training logits of cosines [N, numClasses] with the margin on `targets`. */
  protected abstract marginFromCosine(cosine: tf.Tensor2D, targets: tf.Tensor2D): tf.Tensor2D;

  /** The class centres, shape [embeddingSize, numClasses · subCenters], column c · subCenters + k. */
  get weights(): tf.Variable<tf.Rank.R2> {
    return this.#classifier.weights;
  }

  /** Scaled cosines `scale · cos θ` of shape [N, numClasses], without margin: the scores to predict with. */
  logits(embeddings: tf.Tensor2D): tf.Tensor2D {
    const e = this.#classifier.checkEmbeddings('logits', embeddings);
    return tf.tidy(() => tf.mul(this.#classifier.cosine(e), this.#config.scale) as tf.Tensor2D);
  }

  /** The training logits of shape [N, numClasses]: the margin applied on the targets. */
  marginLogits(embeddings: tf.Tensor2D, labels: tf.Tensor): tf.Tensor2D {
    const e = this.#classifier.checkEmbeddings('marginLogits', embeddings);
    return tf.tidy(() =>
      this.marginFromCosine(
        this.#classifier.cosine(e),
        this.#classifier.targets('marginLogits', labels, e.shape[0]),
      ),
    );
  }

  /**
   * The loss of a batch.
   * @param embeddings - float32, shape [N, embeddingSize]; normalised here.
   * @param labels - int32 class indices of shape [N], or float32 one-hot/soft targets [N, numClasses].
   */
  loss(embeddings: tf.Tensor2D, labels: tf.Tensor): ReducedLoss<R> {
    const e = this.#classifier.checkEmbeddings('loss', embeddings);
    return tf.tidy(() => {
      const targets = this.#classifier.targets('loss', labels, e.shape[0]);
      const logits = this.marginFromCosine(this.#classifier.cosine(e), targets);
      return reduce(softmaxCrossEntropy(targets, logits), this.#config.reduction);
    }) as ReducedLoss<R>;
  }

  /** The options, defaults filled in, as plain JSON (without the weights). */
  toConfig(): C {
    return this.#config;
  }

  /** Frees the weight variable. */
  dispose(): void {
    this.#classifier.dispose();
  }
}
