import * as tf from '@tensorflow/tfjs-core';
import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { clip, convolvePerImage, perImage } from './resample.js';
import { uniform } from './sampling.js';
import type { CommonOptions } from './types.js';
import { checkOptions, checkRange } from './validate.js';

/** Options of {@link sharpen}. */
export interface SharpenOptions extends CommonOptions {
  /**
   * Range of the blend between the image (0) and the sharpened image (1).
   * @defaultValue [0.2, 0.5] (albumentations `Sharpen`)
   */
  readonly alpha?: readonly [number, number];
  /** @defaultValue [0.5, 1] (albumentations `Sharpen`) */
  readonly lightness?: readonly [number, number];
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link sharpen} records per image. */
export type SharpenParams = { readonly alpha: number; readonly lightness: number };

/**
 * Sharpening (albumentations `Sharpen`, imgaug `Sharpen`): correlation with
 * `(1 − α)·identity + α·[[−1, −1, −1], [−1, 8 + L, −1], [−1, −1, −1]]`, reflect-padded and clipped. The
 * kernel is applied as `((1 − α) + α·L)·x + α·(9x − box3x3(x))`, so one shared convolution serves every
 * image's own `α` and `L`.
 */
export function sharpen(options: SharpenOptions = {}): LeafTransform<SharpenParams> {
  const fn = 'sharpen';
  checkOptions(fn, options, ['alpha', 'lightness', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  const alpha = checkRange(fn, 'alpha', options.alpha ?? [0.2, 0.5], 0, 1, false);
  const lightness = checkRange(fn, 'lightness', options.lightness ?? [0.5, 1], 0, 100, false);
  return defineLeaf<SharpenParams>({
    name: fn,
    options: { alpha: [...alpha], lightness: [...lightness] },
    p,
    stage,
    sampleImage: (rng) => ({ alpha: uniform(rng, alpha), lightness: uniform(rng, lightness) }),
    kernel: (images, params, { maxValue }) =>
      tf.tidy(() => {
        const n = images.shape[0];
        const box = convolvePerImage(images, new Float32Array(n * 9).fill(1), 3, 3);
        const a = perImage(
          params.map((q) => q.alpha),
          images.shape,
        );
        const keep = perImage(
          params.map((q) => 1 - q.alpha + q.alpha * q.lightness),
          images.shape,
        );
        const detail = tf.sub(tf.mul(images, 9), box);
        return clip(tf.add(tf.mul(images, keep), tf.mul(detail, a)), maxValue);
      }),
  });
}
