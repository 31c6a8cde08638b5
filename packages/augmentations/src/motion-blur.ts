import { checkOddRange } from './gaussian-blur.js';
import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { convolvePerImage } from './resample.js';
import { uniformOdd } from './sampling.js';
import type { CommonOptions } from './types.js';
import { checkOptions } from './validate.js';

/** Options of {@link motionBlur}. */
export interface MotionBlurOptions extends CommonOptions {
  /**
   * Range of the kernel size (the length of the motion); odd sizes in it are drawn.
   * @defaultValue [3, 7] (albumentations `MotionBlur`)
   */
  readonly blurLimit?: number | readonly [number, number];
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link motionBlur} records per image. */
export type MotionBlurParams = {
  readonly kernelSize: number;
  /** Direction of the motion in degrees, [0, 180). */
  readonly angle: number;
};

/**
 * The motion kernel: a line through the centre of a `size × size` square at `angle`, reaching the
 * square's border (so a diagonal runs corner to corner), rasterised by sampling it densely, normalised to
 * sum 1.
 */
export function motionKernel(size: number, angle: number): number[] {
  const kernel = new Array<number>(size * size).fill(0);
  const half = (size - 1) / 2;
  const dx = Math.cos((angle * Math.PI) / 180);
  const dy = -Math.sin((angle * Math.PI) / 180);
  const reach = half / Math.max(Math.abs(dx), Math.abs(dy));
  const samples = 4 * size;
  for (let s = 0; s <= samples; s++) {
    const t = -reach + (2 * reach * s) / samples;
    const x = Math.round(half + t * dx);
    const y = Math.round(half + t * dy);
    kernel[y * size + x] = 1;
  }
  const total = kernel.reduce((a, b) => a + b, 0);
  return kernel.map((v) => v / total);
}

/**
 * Motion blur (albumentations `MotionBlur`, imgaug `MotionBlur`): averaging along a line of random
 * length and direction through each pixel, reflect-101 borders.
 */
export function motionBlur(options: MotionBlurOptions = {}): LeafTransform<MotionBlurParams> {
  const fn = 'motionBlur';
  checkOptions(fn, options, ['blurLimit', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  const blurLimit = checkOddRange(fn, 'blurLimit', options.blurLimit ?? [3, 7], 99);
  return defineLeaf<MotionBlurParams>({
    name: fn,
    options: { blurLimit: [...blurLimit] },
    p,
    stage,
    sampleImage: (rng) => ({ kernelSize: uniformOdd(rng, blurLimit), angle: rng.uniform(0, 180) }),
    kernel: (images, params) => {
      const n = images.shape[0];
      const size = Math.max(...params.map((q) => q.kernelSize));
      const kernels = new Float32Array(n * size * size);
      params.forEach((q, b) => {
        const offset = (size - q.kernelSize) / 2;
        const small = motionKernel(q.kernelSize, q.angle);
        for (let y = 0; y < q.kernelSize; y++) {
          for (let x = 0; x < q.kernelSize; x++) {
            kernels[b * size * size + (y + offset) * size + x + offset] = small[y * q.kernelSize + x]!;
          }
        }
      });
      return convolvePerImage(images, kernels, size, size);
    },
  });
}
