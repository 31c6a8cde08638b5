import * as tf from '@tensorflow/tfjs-core';
import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { expandChannels } from './resample.js';
import { uniform } from './sampling.js';
import type { CommonOptions } from './types.js';
import { checkInteger, checkNumber, checkOptions, checkRange } from './validate.js';

/** Options of {@link fog}. */
export interface FogOptions extends CommonOptions {
  /**
   * Range of the fog intensity.
   * @defaultValue [0.3, 1] (albumentations `RandomFog`'s `fog_coef_lower`, `fog_coef_upper`)
   */
  readonly intensity?: readonly [number, number];
  /** Opacity of the densest fog at intensity 1. @defaultValue 0.6 */
  readonly alpha?: number;
  /** Cells per side of the lattice the haze is drawn on. @defaultValue 3 */
  readonly grid?: number;
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link fog} records per image. */
export type FogParams = {
  readonly intensity: number;
  /** Haze density in [0, 1] at the `(grid + 1)²` lattice points, row-major. */
  readonly haze: readonly number[];
};

/**
 * Fog: a smooth random haze blended towards white, `x + a·(maxValue − x)` with
 * `a = alpha · intensity · haze(x, y)`. An approximation of albumentations `RandomFog` (which paints
 * overlapping translucent discs and blurs the image): the haze is a coarse random lattice upsampled
 * bilinearly, so it is cheap on any backend and its record is small.
 */
export function fog(options: FogOptions = {}): LeafTransform<FogParams> {
  const fn = 'fog';
  checkOptions(fn, options, ['intensity', 'alpha', 'grid', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  const intensity = checkRange(fn, 'intensity', options.intensity ?? [0.3, 1], 0, 1, false);
  const alpha = checkNumber(fn, 'alpha', options.alpha ?? 0.6, 0, 1);
  const grid = checkInteger(fn, 'grid', options.grid ?? 3, 1, 64);
  const size = grid + 1;
  return defineLeaf<FogParams>({
    name: fn,
    options: { intensity: [...intensity], alpha, grid },
    p,
    stage,
    sampleImage: (rng) => ({
      intensity: uniform(rng, intensity),
      haze: Array.from({ length: size * size }, () => rng.uniform(0.3, 1)),
    }),
    kernel: (images, params, { maxValue }) =>
      tf.tidy(() => {
        const [n, height, width] = images.shape;
        const lattice = tf.tensor4d(
          params.flatMap((q) => q.haze.map((h) => h * q.intensity * alpha)),
          [n, size, size, 1],
        );
        const a = expandChannels(tf.image.resizeBilinear(lattice, [height, width], true), images.shape[3]);
        return tf.clipByValue(
          tf.add(images, tf.mul(a, tf.sub(maxValue, images))),
          0,
          maxValue,
        ) as tf.Tensor4D;
      }),
  });
}
