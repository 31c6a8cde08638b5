import * as tf from '@tensorflow/tfjs-core';
import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { remap } from './resample.js';
import { uniform } from './sampling.js';
import type { CommonOptions, FillOptions } from './types.js';
import { checkFill, checkInteger, checkOptions, checkRange } from './validate.js';

/** Options of {@link gridDistortion}. */
export interface GridDistortionOptions extends CommonOptions, FillOptions {
  /** Cells per side. @defaultValue 5 (albumentations `GridDistortion`) */
  readonly numSteps?: number;
  /**
   * Range of the relative change of each cell's size; a number `x` means `[-x, x]`.
   * @defaultValue 0.3 (albumentations)
   */
  readonly distortLimit?: number | readonly [number, number];
  /** @defaultValue 'reflect' */
  readonly fillMode?: 'constant' | 'reflect' | 'edge';
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link gridDistortion} records per image: each cell's size factor along x and along y. */
export type GridDistortionParams = {
  readonly xSteps: readonly number[];
  readonly ySteps: readonly number[];
};

/**
 * Source coordinate of every output pixel along one axis: the output is cut into equal cells, cell `k`
 * reads a stretch of the source `steps[k]` times as long, laid end to end from 0.
 */
export function gridAxisMap(steps: readonly number[], length: number): Float32Array {
  const out = new Float32Array(length);
  const span = length - 1;
  const cell = span / steps.length;
  const knots = [0];
  for (const step of steps) knots.push(knots[knots.length - 1]! + cell * step);
  for (let i = 0; i < length; i++) {
    if (span === 0) break;
    const k = Math.min(Math.floor(i / cell), steps.length - 1);
    const t = (i - k * cell) / cell;
    out[i] = knots[k]! + t * (knots[k + 1]! - knots[k]!);
  }
  return out;
}

/**
 * Grid distortion (albumentations `GridDistortion`): the image is divided into `numSteps × numSteps`
 * cells whose widths and heights are scaled by `1 + u`, `u` uniform in `distortLimit`, and resampled with
 * a piecewise-linear map per axis.
 */
export function gridDistortion(options: GridDistortionOptions = {}): LeafTransform<GridDistortionParams> {
  const fn = 'gridDistortion';
  checkOptions(fn, options, [
    'numSteps',
    'distortLimit',
    'interpolation',
    'fillMode',
    'fillValue',
    'p',
    'stage',
  ]);
  const { p, stage } = common(fn, options, 0.5);
  const numSteps = checkInteger(fn, 'numSteps', options.numSteps ?? 5, 1, 256);
  const distortLimit = checkRange(fn, 'distortLimit', options.distortLimit ?? 0.3, -0.99, 10, true);
  const fill = checkFill(fn, options, 'reflect');
  return defineLeaf<GridDistortionParams>({
    name: fn,
    options: { numSteps, distortLimit: [...distortLimit], ...fill },
    p,
    stage,
    sampleImage: (rng) => {
      const steps = (): number[] => Array.from({ length: numSteps }, () => 1 + uniform(rng, distortLimit));
      return { xSteps: steps(), ySteps: steps() };
    },
    kernel: (images, params, { maxValue }) =>
      tf.tidy(() => {
        const [n, height, width] = images.shape;
        const xMaps = new Float32Array(n * width);
        const yMaps = new Float32Array(n * height);
        params.forEach(({ xSteps, ySteps }, b) => {
          xMaps.set(gridAxisMap(xSteps, width), b * width);
          yMaps.set(gridAxisMap(ySteps, height), b * height);
        });
        const zeros = tf.zeros([n, height, width]);
        const xs = tf.add(tf.tensor3d(xMaps, [n, 1, width]), zeros) as tf.Tensor3D;
        const ys = tf.add(tf.tensor3d(yMaps, [n, height, 1]), zeros) as tf.Tensor3D;
        return remap(images, xs, ys, fill, maxValue);
      }),
  });
}
