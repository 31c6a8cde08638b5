import * as tf from '@tensorflow/tfjs-core';
import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { perImage } from './resample.js';
import { uniform } from './sampling.js';
import type { CommonOptions } from './types.js';
import { checkOptions, checkRange } from './validate.js';

/** Options of {@link gamma}. */
export interface GammaOptions extends CommonOptions {
  /**
   * Range of the exponent.
   * @defaultValue [0.8, 1.2] (albumentations `RandomGamma`'s `gamma_limit` (80, 120) / 100)
   */
  readonly gamma?: readonly [number, number];
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link gamma} records per image. */
export type GammaParams = { readonly gamma: number };

/** Gamma correction (albumentations `RandomGamma`): `maxValue · (x / maxValue)^gamma`. */
export function gamma(options: GammaOptions = {}): LeafTransform<GammaParams> {
  const fn = 'gamma';
  checkOptions(fn, options, ['gamma', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  const range = checkRange(fn, 'gamma', options.gamma ?? [0.8, 1.2], 0.01, 100, false);
  return defineLeaf<GammaParams>({
    name: fn,
    options: { gamma: [...range] },
    p,
    stage,
    sampleImage: (rng) => ({ gamma: uniform(rng, range) }),
    kernel: (images, params, { maxValue }) =>
      tf.tidy(
        () =>
          tf.mul(
            tf.pow(
              tf.clipByValue(tf.div(images, maxValue), 0, 1),
              perImage(
                params.map((q) => q.gamma),
                images.shape,
              ),
            ),
            maxValue,
          ) as tf.Tensor4D,
      ),
  });
}
