import * as tf from '@tensorflow/tfjs-core';
import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { clip, perImageChannel } from './resample.js';
import { uniform } from './sampling.js';
import type { CommonOptions } from './types.js';
import { checkOptions, checkRange } from './validate.js';

/** Options of {@link rgbShift}. */
export interface RgbShiftOptions extends CommonOptions {
  /**
   * Range added to red, as a fraction of `maxValue`; a number `x` means `[-x, x]`.
   * @defaultValue 20/255 (albumentations `RGBShift`'s `r_shift_limit` 20 on the 0–255 scale)
   */
  readonly red?: number | readonly [number, number];
  /** @defaultValue 20/255 */
  readonly green?: number | readonly [number, number];
  /** @defaultValue 20/255 */
  readonly blue?: number | readonly [number, number];
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link rgbShift} records per image. */
export type RgbShiftParams = {
  /** Added to R, G and B, as fractions of `maxValue`. */
  readonly shift: readonly number[];
};

/** Adds a random constant to each colour channel (albumentations `RGBShift`), clipped to the range. */
export function rgbShift(options: RgbShiftOptions = {}): LeafTransform<RgbShiftParams> {
  const fn = 'rgbShift';
  checkOptions(fn, options, ['red', 'green', 'blue', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  const ranges = (['red', 'green', 'blue'] as const).map((c) =>
    checkRange(fn, c, options[c] ?? 20 / 255, -1, 1, true),
  );
  const [red, green, blue] = ranges as [
    readonly [number, number],
    readonly [number, number],
    readonly [number, number],
  ];
  return defineLeaf<RgbShiftParams>({
    name: fn,
    options: { red: [...red], green: [...green], blue: [...blue] },
    p,
    stage,
    channels: 3,
    sampleImage: (rng) => ({ shift: ranges.map((range) => uniform(rng, range)) }),
    kernel: (images, params, { maxValue }) =>
      tf.tidy(() => {
        const shift = perImageChannel(
          params.map((q) => q.shift.map((s) => s * maxValue)),
          images.shape,
        );
        return clip(tf.add(images, shift), maxValue);
      }),
  });
}
