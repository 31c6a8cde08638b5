import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, Rng, type RngSeed, TopkError } from '@topk/core';
import { checkFloatTensor, checkPositiveInteger, checkTensor, oneHot } from './validate.js';

/** Rows of `x` (shape [N, D]) divided by their L2 norm; a zero row stays zero. */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  // The floor keeps zero rows (and their gradient) finite; 1e-12 is torch.nn.functional.normalize's eps.
  return tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), -1, true), 1e-24))) as tf.Tensor2D;
}

/**
 * cos θ between each embedding (rows of [N, D]) and each class of `weights` ([D, numClasses · subCenters]),
 * shape [N, numClasses]: the largest over the class's sub-centres (sub-center ArcFace, Deng et al. 2020).
 */
export function classCosine(
  embeddings: tf.Tensor2D,
  weights: tf.Tensor2D,
  numClasses: number,
  subCenters: number,
): tf.Tensor2D {
  const normalizedWeights = tf.transpose(l2Normalize(tf.transpose(weights) as tf.Tensor2D));
  const cos = tf.matMul(l2Normalize(embeddings), normalizedWeights) as tf.Tensor2D;
  if (subCenters === 1) return cos;
  return tf.max(tf.reshape(cos, [embeddings.shape[0], numClasses, subCenters]), -1) as tf.Tensor2D;
}

/** Shape options shared by the margin losses. */
export interface CosineClassifierShape {
  readonly embeddingSize: number;
  readonly numClasses: number;
  readonly subCenters: number;
}

/**
 * The trainable class centres of a margin-based softmax loss (ArcFace, CosFace): a variable of shape
 * [embeddingSize, numClasses · subCenters], column `c · subCenters + k` being sub-centre k of class c,
 * initialised Glorot-uniform from a seeded {@link Rng}. Internal: the public classes wrap it.
 */
export class CosineClassifier {
  readonly weights: tf.Variable<tf.Rank.R2>;
  readonly shape: CosineClassifierShape;
  readonly #owner: string;

  constructor(owner: string, shape: CosineClassifierShape, seed: RngSeed, name: string | undefined) {
    const { embeddingSize, numClasses, subCenters } = shape;
    checkPositiveInteger(owner, 'embeddingSize', embeddingSize);
    checkPositiveInteger(owner, 'numClasses', numClasses);
    checkPositiveInteger(owner, 'subCenters', subCenters);
    if (name !== undefined && typeof name !== 'string') {
      throw new InvalidArgumentError(owner, 'name', 'a string', name);
    }
    const columns = numClasses * subCenters;
    const rng = new Rng(seed);
    const limit = Math.sqrt(6 / (embeddingSize + columns));
    const values = new Float32Array(embeddingSize * columns);
    for (let i = 0; i < values.length; i++) values[i] = rng.uniform(-limit, limit);
    this.weights = tf.tidy(() =>
      tf.variable(tf.tensor2d(values, [embeddingSize, columns]), true, name),
    ) as tf.Variable<tf.Rank.R2>;
    this.shape = Object.freeze({ embeddingSize, numClasses, subCenters });
    this.#owner = owner;
  }

  /** Checks embeddings of shape [N, embeddingSize]. */
  checkEmbeddings(method: string, embeddings: unknown): tf.Tensor2D {
    this.#checkAlive(method);
    const e = checkFloatTensor(`${this.#owner}.${method}`, 'embeddings', embeddings, [2]);
    if (e.shape[1] !== this.shape.embeddingSize) {
      throw new InvalidArgumentError(
        `${this.#owner}.${method}`,
        'embeddings',
        `of shape [N, ${this.shape.embeddingSize}] (embeddingSize)`,
        e,
      );
    }
    return e as tf.Tensor2D;
  }

  /**
   * Targets of shape [N, numClasses] from int32 class indices [N] or one-hot/soft targets [N, numClasses].
   * Call inside a tidy.
   */
  targets(method: string, labels: unknown, n: number): tf.Tensor2D {
    const fn = `${this.#owner}.${method}`;
    const y = checkTensor(fn, 'labels', labels);
    const { numClasses } = this.shape;
    if (y.rank === 1 && y.dtype === 'int32' && y.shape[0] === n) {
      return oneHot(y as tf.Tensor1D, numClasses);
    }
    if (y.rank === 2 && y.shape[0] === n && y.shape[1] === numClasses && y.dtype === 'float32') {
      return y as tf.Tensor2D;
    }
    throw new InvalidArgumentError(
      fn,
      'labels',
      `int32 class indices of shape [${n}] or float32 targets of shape [${n}, ${numClasses}]`,
      y,
    );
  }

  /** {@link classCosine} with this classifier's weights. */
  cosine(embeddings: tf.Tensor2D): tf.Tensor2D {
    return classCosine(embeddings, this.weights, this.shape.numClasses, this.shape.subCenters);
  }

  dispose(): void {
    if (!this.weights.isDisposed) this.weights.dispose();
  }

  #checkAlive(method: string): void {
    if (this.weights.isDisposed) {
      throw new TopkError('DISPOSED', `${this.#owner}.${method}: called after dispose()`);
    }
  }
}
