import * as tf from '@tensorflow/tfjs-core';
import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { remap } from './resample.js';
import type { CommonOptions, FillOptions } from './types.js';
import { checkFill, checkInteger, checkNumber, checkOptions } from './validate.js';

/** Options of {@link elastic}. */
export interface ElasticOptions extends CommonOptions, FillOptions {
  /**
   * Largest displacement, as a fraction of the image side (the strongest control point moves this far).
   * @defaultValue 0.05
   */
  readonly alpha?: number;
  /**
   * Smoothness: standard deviation of the Gaussian that smooths the control-point noise, in grid cells.
   * @defaultValue 1
   */
  readonly sigma?: number;
  /**
   * Control points per side minus one: the field is drawn on a `(grid + 1)²` lattice.
   * @defaultValue 8
   */
  readonly grid?: number;
  /** @defaultValue 'reflect' */
  readonly fillMode?: 'constant' | 'reflect' | 'edge';
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link elastic} records per image: displacements of the lattice points, row-major. */
export type ElasticParams = {
  /** Horizontal displacement per lattice point, as a fraction of the width. */
  readonly dx: readonly number[];
  /** Vertical displacement per lattice point, as a fraction of the height. */
  readonly dy: readonly number[];
};

/** Separable Gaussian smoothing of a `size × size` field, reflecting at the borders. */
function smooth(field: Float64Array, size: number, sigma: number): Float64Array {
  if (sigma === 0 || size === 1) return field;
  const radius = Math.ceil(3 * sigma);
  const weights: number[] = [];
  for (let k = -radius; k <= radius; k++) weights.push(Math.exp(-(k * k) / (2 * sigma * sigma)));
  const total = weights.reduce((a, b) => a + b, 0);
  const reflect = (i: number): number => {
    const period = 2 * (size - 1);
    const t = Math.abs(i) % period;
    return t < size ? t : period - t;
  };
  const pass = (input: Float64Array, horizontal: boolean): Float64Array => {
    const out = new Float64Array(size * size);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        let sum = 0;
        for (let k = -radius; k <= radius; k++) {
          const rr = horizontal ? r : reflect(r + k);
          const cc = horizontal ? reflect(c + k) : c;
          sum += weights[k + radius]! * input[rr * size + cc]!;
        }
        out[r * size + c] = sum / total;
      }
    }
    return out;
  };
  return pass(pass(field, true), false);
}

/**
 * Elastic distortion after Simard et al. (2003), "Best practices for convolutional neural networks
 * applied to visual document analysis": uniform noise in [−1, 1] smoothed by a Gaussian and scaled by
 * `alpha`. The noise lives on a coarse lattice that is upsampled bilinearly, so the record stays small,
 * does not depend on the image size, and the cost does not grow with `sigma`.
 */
export function elastic(options: ElasticOptions = {}): LeafTransform<ElasticParams> {
  const fn = 'elastic';
  checkOptions(fn, options, [
    'alpha',
    'sigma',
    'grid',
    'interpolation',
    'fillMode',
    'fillValue',
    'p',
    'stage',
  ]);
  const { p, stage } = common(fn, options, 0.5);
  const alpha = checkNumber(fn, 'alpha', options.alpha ?? 0.05, 0, 1);
  const sigma = checkNumber(fn, 'sigma', options.sigma ?? 1, 0, 100);
  const grid = checkInteger(fn, 'grid', options.grid ?? 8, 1, 256);
  const fill = checkFill(fn, options, 'reflect');
  const size = grid + 1;
  return defineLeaf<ElasticParams>({
    name: fn,
    options: { alpha, sigma, grid, ...fill },
    p,
    stage,
    sampleImage: (rng) => {
      const draw = (): Float64Array => {
        const field = new Float64Array(size * size);
        for (let i = 0; i < field.length; i++) field[i] = rng.uniform(-1, 1);
        return smooth(field, size, sigma);
      };
      const dx = draw();
      const dy = draw();
      let peak = 0;
      for (let i = 0; i < dx.length; i++) peak = Math.max(peak, Math.abs(dx[i]!), Math.abs(dy[i]!));
      const scale = peak > 0 ? alpha / peak : 0;
      return { dx: Array.from(dx, (v) => v * scale), dy: Array.from(dy, (v) => v * scale) };
    },
    kernel: (images, params, { maxValue }) =>
      tf.tidy(() => {
        const [n, height, width] = images.shape;
        const lattice = new Float32Array(n * size * size * 2);
        params.forEach(({ dx, dy }, b) => {
          for (let i = 0; i < size * size; i++) {
            lattice[(b * size * size + i) * 2] = (dx[i] ?? 0) * width;
            lattice[(b * size * size + i) * 2 + 1] = (dy[i] ?? 0) * height;
          }
        });
        const field = tf.image.resizeBilinear(
          tf.tensor4d(lattice, [n, size, size, 2]),
          [height, width],
          true,
        );
        const gx = tf.reshape(tf.range(0, width, 1, 'float32'), [1, 1, width]);
        const gy = tf.reshape(tf.range(0, height, 1, 'float32'), [1, height, 1]);
        const xs = tf.add(
          gx,
          tf.reshape(tf.slice(field, [0, 0, 0, 0], [n, height, width, 1]), [n, height, width]),
        );
        const ys = tf.add(
          gy,
          tf.reshape(tf.slice(field, [0, 0, 0, 1], [n, height, width, 1]), [n, height, width]),
        );
        return remap(images, xs as tf.Tensor3D, ys as tf.Tensor3D, fill, maxValue);
      }),
  });
}
