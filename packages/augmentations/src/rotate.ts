import { aboutCentre, invert, rotation } from './geometry.js';
import { common, defineProjective, type LeafTransform } from './leaf.js';
import { uniform } from './sampling.js';
import type { CommonOptions, FillOptions } from './types.js';
import { checkFill, checkOptions, checkRange } from './validate.js';

/** Options of {@link rotate}. */
export interface RotateOptions extends CommonOptions, FillOptions {
  /**
   * Angle range in degrees, counter-clockwise positive; a number `x` means `[-x, x]`.
   * @defaultValue 90 (albumentations `Rotate`)
   */
  readonly limit?: number | readonly [number, number];
  /** @defaultValue 'reflect' */
  readonly fillMode?: 'constant' | 'reflect' | 'edge';
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link rotate} records per image. */
export type RotateParams = {
  /** Degrees, counter-clockwise as seen on screen. */
  readonly angle: number;
};

/**
 * Rotates each image about its centre by an angle drawn uniformly from `limit` (albumentations `Rotate`,
 * fastai `Rotate`, whose `max_deg` is `limit`). Rotation is rigid in pixel space, also for non-square
 * images.
 */
export function rotate(options: RotateOptions = {}): LeafTransform<RotateParams> {
  const fn = 'rotate';
  checkOptions(fn, options, ['limit', 'interpolation', 'fillMode', 'fillValue', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  const limit = checkRange(fn, 'limit', options.limit ?? 90, -360, 360, true);
  const fill = checkFill(fn, options, 'reflect');
  return defineProjective<RotateParams>({
    name: fn,
    options: { limit: [...limit], ...fill },
    p,
    stage,
    sampleImage: (rng) => ({ angle: uniform(rng, limit) }),
    projective: {
      matrix: ({ angle }, height, width) => invert(aboutCentre(rotation(angle), height, width)),
      fill,
    },
  });
}
