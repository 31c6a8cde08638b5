import * as tf from '@tensorflow/tfjs-core';
import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { clip } from './resample.js';
import { drawSeed, normalNoise, uniform } from './sampling.js';
import type { CommonOptions } from './types.js';
import { checkNumber, checkOptions, checkRange } from './validate.js';

/** Options of {@link gaussianNoise}. */
export interface GaussianNoiseOptions extends CommonOptions {
  /**
   * Range of the noise standard deviation, as a fraction of `maxValue`.
   * @defaultValue [√10/255, √50/255] (albumentations `GaussNoise`'s `var_limit` (10, 50) on the 0–255 scale)
   */
  readonly std?: number | readonly [number, number];
  /**
   * Noise mean, as a fraction of `maxValue` (the whale-fluke pipeline used 15/255).
   * @defaultValue 0
   */
  readonly mean?: number;
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link gaussianNoise} records per image. */
export type GaussianNoiseParams = {
  /** Fraction of `maxValue`. */
  readonly std: number;
  /** Fraction of `maxValue`. */
  readonly mean: number;
  /** Seed of the noise field: the same seed gives the same noise for the same image size. */
  readonly seed: number;
};

/**
 * Adds independent Gaussian noise to every pixel and channel (albumentations `GaussNoise` with
 * `per_channel=True`), clipped to the range. The noise comes from a seeded {@link Rng} per image.
 */
export function gaussianNoise(options: GaussianNoiseOptions = {}): LeafTransform<GaussianNoiseParams> {
  const fn = 'gaussianNoise';
  checkOptions(fn, options, ['std', 'mean', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  const std = checkRange(fn, 'std', options.std ?? [Math.sqrt(10) / 255, Math.sqrt(50) / 255], 0, 1, false);
  const mean = checkNumber(fn, 'mean', options.mean ?? 0, -1, 1);
  return defineLeaf<GaussianNoiseParams>({
    name: fn,
    options: { std: [...std], mean },
    p,
    stage,
    sampleImage: (rng) => ({ std: uniform(rng, std), mean, seed: drawSeed(rng) }),
    kernel: (images, params, { maxValue }) =>
      tf.tidy(() => {
        const [n, height, width, channels] = images.shape;
        const size = height * width * channels;
        const noise = new Float32Array(n * size);
        params.forEach((q, b) => {
          const z = normalNoise(q.seed, size);
          for (let i = 0; i < size; i++) noise[b * size + i] = (q.mean + q.std * z[i]!) * maxValue;
        });
        return clip(tf.add(images, tf.tensor4d(noise, [n, height, width, channels])), maxValue);
      }),
  });
}
