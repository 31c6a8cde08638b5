import * as tf from '@tensorflow/tfjs-core';
import { hsvToRgb, rgbToHsv } from './color.js';
import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { perImage } from './resample.js';
import { uniform } from './sampling.js';
import type { CommonOptions } from './types.js';
import { checkOptions, checkRange } from './validate.js';

/** Options of {@link hueSaturationValue}. */
export interface HueSaturationValueOptions extends CommonOptions {
  /**
   * Hue shift range in degrees; a number `x` means `[-x, x]`.
   * @defaultValue 20 (albumentations `HueSaturationValue`'s `hue_shift_limit`)
   */
  readonly hue?: number | readonly [number, number];
  /**
   * Saturation shift range, added to saturation in [0, 1]; a number `x` means `[-x, x]`.
   * @defaultValue 30/255 (albumentations' `sat_shift_limit` 30 on the 0–255 scale)
   */
  readonly saturation?: number | readonly [number, number];
  /**
   * Value shift range, added to value in [0, 1]; a number `x` means `[-x, x]`.
   * @defaultValue 20/255 (albumentations' `val_shift_limit` 20 on the 0–255 scale)
   */
  readonly value?: number | readonly [number, number];
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link hueSaturationValue} records per image. */
export type HueSaturationValueParams = {
  /** Degrees. */
  readonly hue: number;
  readonly saturation: number;
  readonly value: number;
};

/**
 * Shifts hue (cyclically), saturation and value (clipped to [0, 1]) in HSV space (albumentations
 * `HueSaturationValue`). Needs RGB images.
 */
export function hueSaturationValue(
  options: HueSaturationValueOptions = {},
): LeafTransform<HueSaturationValueParams> {
  const fn = 'hueSaturationValue';
  checkOptions(fn, options, ['hue', 'saturation', 'value', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  const hue = checkRange(fn, 'hue', options.hue ?? 20, -180, 180, true);
  const saturation = checkRange(fn, 'saturation', options.saturation ?? 30 / 255, -1, 1, true);
  const value = checkRange(fn, 'value', options.value ?? 20 / 255, -1, 1, true);
  return defineLeaf<HueSaturationValueParams>({
    name: fn,
    options: { hue: [...hue], saturation: [...saturation], value: [...value] },
    p,
    stage,
    channels: 3,
    sampleImage: (rng) => ({
      hue: uniform(rng, hue),
      saturation: uniform(rng, saturation),
      value: uniform(rng, value),
    }),
    kernel: (images, params, { maxValue }) =>
      tf.tidy(() => {
        const [h, s, v] = rgbToHsv(tf.div(images, maxValue) as tf.Tensor4D);
        const shifted = hsvToRgb(
          tf.add(
            h,
            perImage(
              params.map((q) => q.hue),
              h.shape,
            ),
          ) as tf.Tensor4D,
          tf.clipByValue(
            tf.add(
              s,
              perImage(
                params.map((q) => q.saturation),
                h.shape,
              ),
            ),
            0,
            1,
          ) as tf.Tensor4D,
          tf.clipByValue(
            tf.add(
              v,
              perImage(
                params.map((q) => q.value),
                h.shape,
              ),
            ),
            0,
            1,
          ) as tf.Tensor4D,
        );
        return tf.clipByValue(tf.mul(shifted, maxValue), 0, maxValue) as tf.Tensor4D;
      }),
  });
}
