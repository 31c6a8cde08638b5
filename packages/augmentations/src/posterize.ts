import * as tf from '@tensorflow/tfjs-core';
import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { perImage } from './resample.js';
import { uniformInt } from './sampling.js';
import type { CommonOptions } from './types.js';
import { checkOptions, checkRange } from './validate.js';

/** Options of {@link posterize}. */
export interface PosterizeOptions extends CommonOptions {
  /**
   * Range of the number of bits kept per channel, 1 to 8.
   * @defaultValue [4, 4] (albumentations `Posterize`'s `num_bits=4`)
   */
  readonly bits?: number | readonly [number, number];
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link posterize} records per image. */
export type PosterizeParams = { readonly bits: number };

/**
 * Keeps the top `bits` bits of each 8-bit channel value (albumentations `Posterize`, PIL
 * `ImageOps.posterize`): `floor(v / 2^(8−bits)) · 2^(8−bits)` with `v = round(255 · x / maxValue)`, then
 * back to the image range. With 8 bits it only rounds to the 256 levels.
 */
export function posterize(options: PosterizeOptions = {}): LeafTransform<PosterizeParams> {
  const fn = 'posterize';
  checkOptions(fn, options, ['bits', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  const bits = checkRange(fn, 'bits', options.bits ?? 4, 1, 8, false, true);
  return defineLeaf<PosterizeParams>({
    name: fn,
    options: { bits: [...bits] },
    p,
    stage,
    sampleImage: (rng) => ({ bits: uniformInt(rng, bits) }),
    kernel: (images, params, { maxValue }) =>
      tf.tidy(() => {
        const levels = tf.round(tf.clipByValue(tf.mul(images, 255 / maxValue), 0, 255));
        const step = perImage(
          params.map((q) => 2 ** (8 - q.bits)),
          images.shape,
        );
        const kept = tf.mul(tf.floor(tf.div(levels, step)), step);
        return tf.mul(kept, maxValue / 255) as tf.Tensor4D;
      }),
  });
}
