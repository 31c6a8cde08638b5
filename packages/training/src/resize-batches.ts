import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, type Rng } from '@topk/core';
import type { Batch, EpochData } from './types.js';
import { checkFunction } from './validate.js';

/** An image size: one number for a square, or `[height, width]`. */
export type ImageSize = number | readonly [number, number];

function checkSize(fn: string, size: unknown, epoch: number): [number, number] {
  const pair = typeof size === 'number' ? [size, size] : size;
  if (
    !Array.isArray(pair) ||
    pair.length !== 2 ||
    !pair.every((d) => Number.isSafeInteger(d) && (d as number) > 0)
  ) {
    throw new InvalidArgumentError(fn, `size(${epoch})`, 'a positive integer or [height, width]', size);
  }
  return pair as [number, number];
}

/**
 * Progressive resizing (fastai; the Intel scene solution trained at 64, then 128, then larger, field note
 * 001): wraps epoch data so that every batch of epoch `e` is resized (bilinear) to `size(e)`, and training
 * continues on the same model at the larger size. The model must accept any input size (a fully
 * convolutional body with global pooling). Batches already at the size pass through unchanged.
 *
 * @example
 * ```ts
 * const train = resizeBatches(arrayBatches(pixels, labels, [64, 64, 3], options), (e) => (e < 3 ? 32 : 64));
 * ```
 */
export function resizeBatches(data: EpochData, size: (epoch: number) => ImageSize): EpochData {
  const fn = 'resizeBatches';
  checkFunction(fn, 'data', data);
  checkFunction(fn, 'size', size);
  async function* resized(epoch: number, rng: Rng): AsyncGenerator<Batch> {
    const [height, width] = checkSize(fn, size(epoch), epoch);
    for await (const batch of data(epoch, rng)) {
      const { images } = batch;
      if (!(images instanceof tf.Tensor) || images.rank !== 4) {
        throw new InvalidArgumentError(fn, 'batch.images', 'a rank-4 tensor [N, H, W, C]', images);
      }
      if (images.shape[1] === height && images.shape[2] === width) {
        yield batch;
        continue;
      }
      const out = tf.image.resizeBilinear(images as tf.Tensor4D, [height, width]);
      images.dispose();
      yield { ...batch, images: out };
    }
  }
  const wrapped = (epoch: number, rng: Rng) => resized(epoch, rng);
  return data.batchesPerEpoch === undefined
    ? wrapped
    : Object.assign(wrapped, { batchesPerEpoch: data.batchesPerEpoch });
}
