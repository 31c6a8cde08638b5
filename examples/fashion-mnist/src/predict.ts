import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { type TtaPolicy, tta } from '@topk/augmentations';
import { InvalidArgumentError } from '@topk/core';
import type { ImageSet } from './data.js';
import { imageTensor, prepareImages } from './images.js';

/** Softmax probabilities of one model, row-major `[count, classes]`. */
export interface MemberProbabilities {
  /** On the images as they are. */
  readonly plain: Float32Array;
  /** Mean over the views of the TTA policy. */
  readonly tta: Float32Array;
}

/** Options of {@link predictWithTta}. */
export interface PredictWithTtaOptions {
  readonly policy: TtaPolicy;
  /** Model input side, see {@link prepareImages}. */
  readonly size: number;
  /** @defaultValue 500 */
  readonly batchSize?: number;
}

/**
 * Softmax probabilities of a logits `model` on every image of `set`, with and without test-time
 * augmentation (`tta` from `@topk/augmentations`: the views are made from the `[0, 1]` images, then
 * prepared like the training images). Inference mode: batch-norm uses its moving statistics.
 */
export async function predictWithTta(
  model: LayersModel,
  set: ImageSet,
  options: PredictWithTtaOptions,
): Promise<MemberProbabilities> {
  const { policy, size, batchSize = 500 } = options;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError('predictWithTta', 'batchSize', 'a positive integer', batchSize);
  }
  const forward = (images: tf.Tensor4D) =>
    tf.tidy(() => tf.softmax(model.predict(prepareImages(images, size)) as tf.Tensor2D));
  const parts: { plain: Float32Array; tta: Float32Array }[] = [];
  for (let start = 0; start < set.count; start += batchSize) {
    const images = imageTensor(set.images, start, Math.min(batchSize, set.count - start));
    try {
      const plain = forward(images);
      const { probabilities } = await tta(images, forward, policy);
      parts.push({
        plain: (await plain.data()) as Float32Array,
        tta: (await probabilities.data()) as Float32Array,
      });
      plain.dispose();
      probabilities.dispose();
    } finally {
      images.dispose();
    }
  }
  const join = (key: 'plain' | 'tta') => {
    const out = new Float32Array(parts.reduce((n, p) => n + p[key].length, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(p[key], offset);
      offset += p[key].length;
    }
    return out;
  };
  return { plain: join('plain'), tta: join('tta') };
}

/** Fraction of rows of the row-major `probs` whose largest entry is at the row's label. */
export function accuracy(probs: Float32Array, labels: ArrayLike<number>, classes: number): number {
  if (!Number.isSafeInteger(classes) || classes < 1 || probs.length !== labels.length * classes) {
    throw new InvalidArgumentError(
      'accuracy',
      'probs',
      `${labels.length} rows of ${classes} probabilities`,
      `${probs.length} values`,
    );
  }
  if (labels.length === 0) throw new InvalidArgumentError('accuracy', 'labels', 'at least one label', 0);
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c]! > probs[i * classes + best]!) best = c;
    if (best === labels[i]) correct++;
  }
  return correct / labels.length;
}
