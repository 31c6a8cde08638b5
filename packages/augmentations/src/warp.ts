import { chain, homography, invert, type Matrix3, pixelToNormalised } from './geometry.js';
import { common, defineProjective, type LeafTransform } from './leaf.js';
import { uniform } from './sampling.js';
import type { CommonOptions, FillOptions } from './types.js';
import { checkFill, checkNumber, checkOptions } from './validate.js';

/** Options of {@link warp}. */
export interface WarpOptions extends CommonOptions, FillOptions {
  /**
   * Largest corner displacement in normalised coordinates (the image spans −1..1).
   * @defaultValue 0.2 (fastai `aug_transforms`' `max_warp`)
   */
  readonly magnitude?: number;
  /** @defaultValue 'reflect' (fastai's `pad_mode=Reflection`) */
  readonly fillMode?: 'constant' | 'reflect' | 'edge';
  /** @defaultValue 0.75 (fastai's `p_affine`) */
  readonly p?: number;
}

/** Parameters {@link warp} records per image. */
export type WarpParams = {
  /** fastai's `x_t`, uniform in `[−magnitude, magnitude]`. */
  readonly x: number;
  /** fastai's `y_t`, uniform in `[−magnitude, magnitude]`. */
  readonly y: number;
};

/**
 * fastai's `_WarpCoord` in pixel coordinates: the homography that sends the moved corners
 * `(−1−y, −1−x), (−1+y, 1+x), (1+y, −1+x), (1−y, 1−x)` of the output back to the image corners.
 */
export function warpMatrix({ x, y }: WarpParams, height: number, width: number): Matrix3 {
  const original: [number, number][] = [
    [-1, -1],
    [-1, 1],
    [1, -1],
    [1, 1],
  ];
  const moved: [number, number][] = [
    [-1 - y, -1 - x],
    [-1 + y, 1 + x],
    [1 + y, -1 + x],
    [1 - y, 1 - x],
  ];
  const toNormalised = pixelToNormalised(height, width);
  return chain(invert(toNormalised), homography(moved, original), toNormalised);
}

/** Perspective warp of fastai's `aug_transforms` (`Warp`): two symmetric corner shifts per image. */
export function warp(options: WarpOptions = {}): LeafTransform<WarpParams> {
  const fn = 'warp';
  checkOptions(fn, options, ['magnitude', 'interpolation', 'fillMode', 'fillValue', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.75);
  const magnitude = checkNumber(fn, 'magnitude', options.magnitude ?? 0.2, 0, 0.9);
  const fill = checkFill(fn, options, 'reflect');
  return defineProjective<WarpParams>({
    name: fn,
    options: { magnitude, ...fill },
    p,
    stage,
    sampleImage: (rng) => ({
      x: uniform(rng, [-magnitude, magnitude]),
      y: uniform(rng, [-magnitude, magnitude]),
    }),
    projective: { matrix: warpMatrix, fill },
  });
}
