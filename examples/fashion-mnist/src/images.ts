import * as tf from '@tensorflow/tfjs-core';
import { mixup, type Transform } from '@topk/augmentations';
import { InvalidArgumentError, type Rng } from '@topk/core';
import type { Batch, EpochData } from '@topk/training';
import { IMAGE_SIDE } from './data.js';

/** Fashion-MNIST's pixel mean and standard deviation in `[0, 1]` units, over the 60 000 training images. */
export const FASHION_MNIST_MEAN = 0.286;
export const FASHION_MNIST_STD = 0.353;

/**
 * Model input from `[0, 1]` 28x28 images: bilinearly resized to `size` when it differs (half-pixel
 * centres, as PyTorch's `align_corners=False`), then standardised with {@link FASHION_MNIST_MEAN} and
 * {@link FASHION_MNIST_STD}. Every member's training and test images go through this one function.
 */
export function prepareImages(images: tf.Tensor4D, size: number): tf.Tensor4D {
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new InvalidArgumentError('prepareImages', 'size', 'a positive integer', size);
  }
  return tf.tidy(() => {
    const resized =
      images.shape[1] === size && images.shape[2] === size
        ? images
        : tf.image.resizeBilinear(images, [size, size], false, true);
    return tf.div(tf.sub(resized, FASHION_MNIST_MEAN), FASHION_MNIST_STD) as tf.Tensor4D;
  });
}

/** Options of {@link augmentedBatches}. */
export interface AugmentedBatchesOptions {
  /** Applied to every batch, in `[0, 1]` units, with the epoch's generator. */
  readonly transform: Transform;
  /** α of mixup; 0 leaves the int32 labels alone. */
  readonly mixupAlpha: number;
  readonly numClasses: number;
  /** Model input side, see {@link prepareImages}. */
  readonly size: number;
}

/**
 * The training stream of one member: each batch of `source` (`[0, 1]` 28x28 images, int32 labels) is
 * augmented per image, mixed up (one λ per batch, Zhang et al. 2018; soft float32 `[N, C]` targets) when
 * `mixupAlpha > 0`, and prepared for the model. Every draw comes from the epoch's {@link Rng}, so a seeded
 * learner sees the same batches on every run.
 */
export function augmentedBatches(
  source: EpochData & { readonly batchesPerEpoch: number },
  options: AugmentedBatchesOptions,
): EpochData & { readonly batchesPerEpoch: number } {
  const { transform, mixupAlpha, numClasses, size } = options;
  if (!Number.isFinite(mixupAlpha) || mixupAlpha < 0) {
    throw new InvalidArgumentError('augmentedBatches', 'mixupAlpha', 'a number >= 0', mixupAlpha);
  }
  return Object.assign(
    function* (epoch: number, rng: Rng): Generator<Batch> {
      const augmentRng = rng.split('augment');
      const mixRng = rng.split('mixup');
      for (const batch of source(epoch, rng.split('source')) as Iterable<Batch>) {
        const images = batch.images as tf.Tensor4D;
        const labels = batch.labels!;
        const augmented = transform.apply(images, augmentRng).images;
        images.dispose();
        let mixed = augmented;
        let targets = labels;
        if (mixupAlpha > 0) {
          const result = mixup(augmented, labels, mixRng, { alpha: mixupAlpha, numClasses });
          augmented.dispose();
          labels.dispose();
          mixed = result.images;
          targets = result.targets;
        }
        const prepared = prepareImages(mixed, size);
        mixed.dispose();
        yield { images: prepared, labels: targets };
      }
    },
    { batchesPerEpoch: source.batchesPerEpoch },
  );
}

/** `count` images of `bytes` from `start`, as a `[count, 28, 28, 1]` tensor in `[0, 1]`. */
export function imageTensor(bytes: Uint8Array, start: number, count: number): tf.Tensor4D {
  const pixels = IMAGE_SIDE * IMAGE_SIDE;
  return tf.tidy(() =>
    tf.div(
      tf.tensor4d(Float32Array.from(bytes.subarray(start * pixels, (start + count) * pixels)), [
        count,
        IMAGE_SIDE,
        IMAGE_SIDE,
        1,
      ]),
      255,
    ),
  );
}
