import * as tf from '@tensorflow/tfjs-core';
import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { clip, perImage } from './resample.js';
import { uniform } from './sampling.js';
import type { CommonOptions } from './types.js';
import { checkOptions, checkRange } from './validate.js';

/** Options of {@link brightnessContrast}. */
export interface BrightnessContrastOptions extends CommonOptions {
  /**
   * Range of the added brightness, as a fraction of `maxValue`; a number `x` means `[-x, x]`.
   * @defaultValue 0.2 (albumentations `RandomBrightnessContrast`)
   */
  readonly brightness?: number | readonly [number, number];
  /**
   * Range of the contrast change: the image is multiplied by `1 + c`; a number `x` means `[-x, x]`.
   * @defaultValue 0.2
   */
  readonly contrast?: number | readonly [number, number];
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link brightnessContrast} records per image. */
export type BrightnessContrastParams = {
  /** Multiplier, `1 + c`. */
  readonly alpha: number;
  /** Added brightness as a fraction of `maxValue`. */
  readonly beta: number;
};

/**
 * Linear brightness and contrast (albumentations `RandomBrightnessContrast` with `brightness_by_max`):
 * `clip(alpha · x + beta · maxValue)`.
 */
export function brightnessContrast(
  options: BrightnessContrastOptions = {},
): LeafTransform<BrightnessContrastParams> {
  const fn = 'brightnessContrast';
  checkOptions(fn, options, ['brightness', 'contrast', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  const brightness = checkRange(fn, 'brightness', options.brightness ?? 0.2, -1, 1, true);
  const contrast = checkRange(fn, 'contrast', options.contrast ?? 0.2, -1, 10, true);
  return defineLeaf<BrightnessContrastParams>({
    name: fn,
    options: { brightness: [...brightness], contrast: [...contrast] },
    p,
    stage,
    sampleImage: (rng) => ({ alpha: 1 + uniform(rng, contrast), beta: uniform(rng, brightness) }),
    kernel: (images, params, { maxValue }) =>
      tf.tidy(() => {
        const alpha = perImage(
          params.map((q) => q.alpha),
          images.shape,
        );
        const beta = perImage(
          params.map((q) => q.beta * maxValue),
          images.shape,
        );
        return clip(tf.add(tf.mul(images, alpha), beta), maxValue);
      }),
  });
}
