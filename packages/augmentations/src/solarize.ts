import * as tf from '@tensorflow/tfjs-core';
import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { perImage } from './resample.js';
import { uniform } from './sampling.js';
import type { CommonOptions } from './types.js';
import { checkOptions, checkRange } from './validate.js';

/** Options of {@link solarize}. */
export interface SolarizeOptions extends CommonOptions {
  /**
   * Range of the threshold, as a fraction of `maxValue`.
   * @defaultValue [0.5, 0.5] (albumentations `Solarize`'s 128 of 255, for 8-bit data)
   */
  readonly threshold?: number | readonly [number, number];
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link solarize} records per image. */
export type SolarizeParams = {
  /** Fraction of `maxValue`. */
  readonly threshold: number;
};

/** Inverts values at or above the threshold (albumentations `Solarize`, PIL `ImageOps.solarize`). */
export function solarize(options: SolarizeOptions = {}): LeafTransform<SolarizeParams> {
  const fn = 'solarize';
  checkOptions(fn, options, ['threshold', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  const threshold = checkRange(fn, 'threshold', options.threshold ?? 0.5, 0, 1, false);
  return defineLeaf<SolarizeParams>({
    name: fn,
    options: { threshold: [...threshold] },
    p,
    stage,
    sampleImage: (rng) => ({ threshold: uniform(rng, threshold) }),
    kernel: (images, params, { maxValue }) =>
      tf.tidy(() => {
        const t = tf.mul(
          perImage(
            params.map((q) => q.threshold),
            images.shape,
          ),
          maxValue,
        );
        return tf.where(tf.greaterEqual(images, t), tf.sub(maxValue, images), images) as tf.Tensor4D;
      }),
  });
}
