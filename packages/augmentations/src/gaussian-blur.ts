import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@topk/core';
import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { convolvePerImage } from './resample.js';
import { uniform, uniformOdd } from './sampling.js';
import type { CommonOptions } from './types.js';
import { checkOptions, checkRange, type Range } from './validate.js';

/** Options of {@link gaussianBlur}. */
export interface GaussianBlurOptions extends CommonOptions {
  /**
   * Range of the kernel size; odd sizes in it are drawn.
   * @defaultValue [3, 7] (albumentations `GaussianBlur`)
   */
  readonly blurLimit?: number | readonly [number, number];
  /**
   * Range of sigma in pixels; 0 derives it from the kernel size as OpenCV does,
   * `0.3·((k − 1)/2 − 1) + 0.8`.
   * @defaultValue [0, 0]
   */
  readonly sigma?: number | readonly [number, number];
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link gaussianBlur} records per image. */
export type GaussianBlurParams = { readonly kernelSize: number; readonly sigma: number };

/** OpenCV's fixed kernels for sizes 1 to 7 when sigma is derived from the size (`small_gaussian_tab`). */
const SMALL_KERNELS: { readonly [size: number]: readonly number[] } = {
  1: [1],
  3: [0.25, 0.5, 0.25],
  5: [0.0625, 0.25, 0.375, 0.25, 0.0625],
  7: [0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125],
};

/**
 * OpenCV's `getGaussianKernel`: normalised 1-D Gaussian weights for an odd size; with sigma 0, its fixed
 * tables up to size 7 and `0.3·((size − 1)/2 − 1) + 0.8` beyond.
 */
export function gaussianKernel(size: number, sigma: number): number[] {
  const small = SMALL_KERNELS[size];
  if (sigma <= 0 && small !== undefined) return [...small];
  const s = sigma > 0 ? sigma : 0.3 * ((size - 1) / 2 - 1) + 0.8;
  const half = (size - 1) / 2;
  const weights = Array.from({ length: size }, (_, i) => Math.exp(-((i - half) ** 2) / (2 * s * s)));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

/** Checks an odd kernel-size range has at least one odd size in it. */
export function checkOddRange(fn: string, argument: string, value: unknown, max: number): Range {
  const range = checkRange(fn, argument, value, 1, max, false, true);
  const first = range[0] % 2 === 1 ? range[0] : range[0] + 1;
  if (first > range[1])
    throw new InvalidArgumentError(fn, argument, 'a range that contains an odd size', value);
  return range;
}

/**
 * Gaussian blur with a per-image kernel size and sigma (albumentations `GaussianBlur`), separable, with
 * reflect-101 borders as OpenCV.
 */
export function gaussianBlur(options: GaussianBlurOptions = {}): LeafTransform<GaussianBlurParams> {
  const fn = 'gaussianBlur';
  checkOptions(fn, options, ['blurLimit', 'sigma', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  const blurLimit = checkOddRange(fn, 'blurLimit', options.blurLimit ?? [3, 7], 99);
  const sigma = checkRange(fn, 'sigma', options.sigma ?? 0, 0, 50, false);
  return defineLeaf<GaussianBlurParams>({
    name: fn,
    options: { blurLimit: [...blurLimit], sigma: [...sigma] },
    p,
    stage,
    sampleImage: (rng) => ({ kernelSize: uniformOdd(rng, blurLimit), sigma: uniform(rng, sigma) }),
    kernel: (images, params) =>
      tf.tidy(() => {
        const n = images.shape[0];
        const size = Math.max(...params.map((q) => q.kernelSize));
        // Smaller kernels sit centred in the largest one, padded with zeros.
        const kernels = new Float32Array(n * size);
        params.forEach((q, b) => {
          kernels.set(gaussianKernel(q.kernelSize, q.sigma), b * size + (size - q.kernelSize) / 2);
        });
        return convolvePerImage(convolvePerImage(images, kernels, size, 1), kernels, 1, size);
      }),
  });
}
