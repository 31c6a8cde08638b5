import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@topk/core';
import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { convolvePerImage, expandChannels } from './resample.js';
import { uniform } from './sampling.js';
import type { CommonOptions } from './types.js';
import { checkInteger, checkNumber, checkOptions, checkRange } from './validate.js';

/** Options of {@link rain}. */
export interface RainOptions extends CommonOptions {
  /**
   * Range of the horizontal drift of a drop per unit of its length; a number `x` means `[-x, x]`.
   * @defaultValue 0.5 (albumentations `RandomRain`'s slant ±10 px over a 20 px drop)
   */
  readonly slant?: number | readonly [number, number];
  /**
   * Drop length as a fraction of the image height.
   * @defaultValue 0.09 (20 px at 224)
   */
  readonly dropLength?: number;
  /** Drop width in pixels. @defaultValue 1 */
  readonly dropWidth?: number;
  /**
   * Drop colour `[r, g, b]` as fractions of `maxValue` (one value per channel; a single number for all).
   * @defaultValue 200/255 for every channel (albumentations' `drop_color`)
   */
  readonly dropColor?: number | readonly number[];
  /** Drops per pixel. @defaultValue 1/600 (albumentations: area // 600 drops) */
  readonly density?: number;
  /** Size of the box blur applied after drawing, in pixels; 1 for none. @defaultValue 7 (albumentations' `blur_value`) */
  readonly blur?: number;
  /** Brightness multiplier of the rainy image. @defaultValue 0.7 (albumentations' `brightness_coefficient`) */
  readonly brightness?: number;
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link rain} records per image. */
export type RainParams = {
  /** Horizontal drift per unit of drop length. */
  readonly slant: number;
  /** Drop starting points as `[x0, y0, x1, y1, …]`, fractions of the width and height. */
  readonly drops: readonly number[];
};

/** Rasterises the drops of one image into `mask` (1 on a drop), as thin straight streaks. */
function drawDrops(
  mask: Float32Array,
  offset: number,
  params: RainParams,
  height: number,
  width: number,
  length: number,
  dropWidth: number,
): void {
  const steps = Math.max(1, Math.ceil(length * Math.max(1, Math.abs(params.slant))) * 2);
  for (let k = 0; k + 1 < params.drops.length; k += 2) {
    const x0 = params.drops[k]! * width;
    const y0 = params.drops[k + 1]! * height;
    for (let s = 0; s <= steps; s++) {
      const t = (length * s) / steps;
      const x = Math.floor(x0 + params.slant * t);
      const y = Math.floor(y0 + t);
      if (y < 0 || y >= height) continue;
      for (let w = 0; w < dropWidth; w++) {
        const xx = x + w;
        if (xx >= 0 && xx < width) mask[offset + y * width + xx] = 1;
      }
    }
  }
}

/**
 * Rain streaks (albumentations `RandomRain`, default `rain_type`): slanted drops drawn in `dropColor`,
 * then a box blur and a brightness multiplier over the whole image (multiplying RGB by the coefficient is
 * albumentations' multiplication of the HSV value). Drop positions are recorded, so a replay is exact.
 */
export function rain(options: RainOptions = {}): LeafTransform<RainParams> {
  const fn = 'rain';
  checkOptions(fn, options, [
    'slant',
    'dropLength',
    'dropWidth',
    'dropColor',
    'density',
    'blur',
    'brightness',
    'p',
    'stage',
  ]);
  const { p, stage } = common(fn, options, 0.5);
  const slant = checkRange(fn, 'slant', options.slant ?? 0.5, -10, 10, true);
  const dropLength = checkNumber(fn, 'dropLength', options.dropLength ?? 0.09, 0, 1);
  const dropWidth = checkInteger(fn, 'dropWidth', options.dropWidth ?? 1, 1, 64);
  const colorInput = options.dropColor ?? 200 / 255;
  const dropColor = typeof colorInput === 'number' ? [colorInput] : colorInput;
  if (
    !Array.isArray(dropColor) ||
    dropColor.length === 0 ||
    !dropColor.every((c) => typeof c === 'number' && c >= 0 && c <= 1)
  ) {
    throw new InvalidArgumentError(fn, 'dropColor', 'a number or an array of numbers in [0, 1]', colorInput);
  }
  const density = checkNumber(fn, 'density', options.density ?? 1 / 600, 0, 1);
  const blur = checkInteger(fn, 'blur', options.blur ?? 7, 1, 99);
  const brightness = checkNumber(fn, 'brightness', options.brightness ?? 0.7, 0, 1);
  return defineLeaf<RainParams>({
    name: fn,
    options: {
      slant: [...slant],
      dropLength,
      dropWidth,
      dropColor: [...dropColor],
      density,
      blur,
      brightness,
    },
    p,
    stage,
    sampleImage: (rng, shape) => {
      const [, height, width] = shape;
      const count = Math.floor(height * width * density);
      const drops: number[] = [];
      for (let k = 0; k < count; k++) drops.push(rng.next(), rng.uniform(0, 1 - Math.min(dropLength, 0.999)));
      return { slant: uniform(rng, slant), drops };
    },
    kernel: (images, params, { maxValue }) =>
      tf.tidy(() => {
        const [n, height, width, channels] = images.shape;
        const length = dropLength * height;
        const mask = new Float32Array(n * height * width);
        params.forEach((q, b) => {
          drawDrops(mask, b * height * width, q, height, width, length, dropWidth);
        });
        const m = expandChannels(tf.tensor4d(mask, [n, height, width, 1]), channels);
        const color = Array.from({ length: channels }, (_, c) => (dropColor[c] ?? dropColor[0]!) * maxValue);
        const drawn = tf.add(tf.mul(images, tf.sub(1, m)), tf.mul(m, tf.tensor1d(color)));
        const blurred =
          blur > 1
            ? convolvePerImage(
                drawn as tf.Tensor4D,
                new Float32Array(n * blur * blur).fill(1 / (blur * blur)),
                blur,
                blur,
              )
            : drawn;
        return tf.clipByValue(tf.mul(blurred, brightness), 0, maxValue) as tf.Tensor4D;
      }),
  });
}
