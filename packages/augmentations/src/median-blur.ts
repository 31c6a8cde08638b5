import * as tf from '@tensorflow/tfjs-core';
import { checkOddRange } from './gaussian-blur.js';
import { applyToSubset, common, defineLeaf, type LeafTransform } from './leaf.js';
import { padReflect } from './resample.js';
import { uniformOdd } from './sampling.js';
import type { CommonOptions } from './types.js';
import { checkOptions } from './validate.js';

/** Options of {@link medianBlur}. */
export interface MedianBlurOptions extends CommonOptions {
  /**
   * Range of the window size; odd sizes in it are drawn. Memory grows with the square of the size.
   * @defaultValue [3, 5]
   */
  readonly blurLimit?: number | readonly [number, number];
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link medianBlur} records per image. */
export type MedianBlurParams = { readonly kernelSize: number };

/** Median of every `size × size` window, per channel, reflect-101 borders. */
export function medianFilter(images: tf.Tensor4D, size: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, height, width, channels] = images.shape;
    const r = (size - 1) / 2;
    const padded = padReflect(images, r, r);
    const shifted: tf.Tensor[] = [];
    for (let dy = 0; dy < size; dy++) {
      for (let dx = 0; dx < size; dx++) {
        shifted.push(tf.slice(padded, [0, dy, dx, 0], [n, height, width, channels]));
      }
    }
    const windows = tf.stack(shifted, -1);
    const middle = (size * size + 1) / 2;
    // The largest `middle` values, in descending order: the last of them is the median.
    const { values } = tf.topk(windows, middle, true);
    return tf.reshape(tf.slice(values, [0, 0, 0, 0, middle - 1], [n, height, width, channels, 1]), [
      n,
      height,
      width,
      channels,
    ]) as tf.Tensor4D;
  });
}

/**
 * Median blur (albumentations `MedianBlur`): each value becomes the median of its window. Images are
 * grouped by window size. The default stops at 5 rather than albumentations' 7 to bound memory
 * (`size²` shifted copies of the batch).
 */
export function medianBlur(options: MedianBlurOptions = {}): LeafTransform<MedianBlurParams> {
  const fn = 'medianBlur';
  checkOptions(fn, options, ['blurLimit', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  const blurLimit = checkOddRange(fn, 'blurLimit', options.blurLimit ?? [3, 5], 15);
  return defineLeaf<MedianBlurParams>({
    name: fn,
    options: { blurLimit: [...blurLimit] },
    p,
    stage,
    sampleImage: (rng) => ({ kernelSize: uniformOdd(rng, blurLimit) }),
    kernel: (images, params) =>
      tf.tidy(() => {
        let out: tf.Tensor4D = images;
        for (const size of new Set(params.map((q) => q.kernelSize))) {
          const indices = params.flatMap((q, i) => (q.kernelSize === size ? [i] : []));
          const previous = out;
          out =
            indices.length === params.length
              ? medianFilter(previous, size)
              : applyToSubset(previous, indices, (subset) => medianFilter(subset, size));
        }
        return out;
      }),
  });
}
