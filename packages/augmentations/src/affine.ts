import { aboutCentre, chain, invert, rotation, scaling, shearing, translation } from './geometry.js';
import { common, defineProjective, type LeafTransform } from './leaf.js';
import { uniform } from './sampling.js';
import type { CommonOptions, FillOptions } from './types.js';
import { checkFill, checkOptions, checkRange } from './validate.js';

/** Options of {@link affine}. */
export interface AffineOptions extends CommonOptions, FillOptions {
  /**
   * Shift range as a fraction of the width (x) and height (y), drawn independently per axis; a number
   * `x` means `[-x, x]`.
   * @defaultValue 0.0625 (albumentations `ShiftScaleRotate`'s `shift_limit`)
   */
  readonly translate?: number | readonly [number, number];
  /**
   * Zoom factor range (above 1 enlarges the content).
   * @defaultValue [0.9, 1.1] (`ShiftScaleRotate`'s `scale_limit` 0.1)
   */
  readonly scale?: readonly [number, number];
  /**
   * Rotation range in degrees, counter-clockwise positive; a number `x` means `[-x, x]`.
   * @defaultValue 15
   */
  readonly rotate?: number | readonly [number, number];
  /**
   * Shear angle range in degrees, drawn independently for x and y; a number `x` means `[-x, x]`.
   * @defaultValue 10
   */
  readonly shear?: number | readonly [number, number];
  /** @defaultValue 'reflect' */
  readonly fillMode?: 'constant' | 'reflect' | 'edge';
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link affine} records per image. */
export type AffineParams = {
  /** Shift as a fraction of the width. */
  readonly translateX: number;
  /** Shift as a fraction of the height. */
  readonly translateY: number;
  readonly scale: number;
  /** Degrees, counter-clockwise. */
  readonly angle: number;
  /** Degrees. */
  readonly shearX: number;
  /** Degrees. */
  readonly shearY: number;
};

/** Forward (source to output) matrix of an {@link affine} draw: `T(c + t) · R · Shear · S · T(−c)`. */
export function affineMatrix(params: AffineParams, height: number, width: number) {
  const { translateX, translateY, scale, angle, shearX, shearY } = params;
  return chain(
    translation(translateX * width, translateY * height),
    aboutCentre(chain(rotation(angle), shearing(shearX, shearY), scaling(scale, scale)), height, width),
  );
}

/**
 * Translation, scaling, rotation and shear about the image centre, all in one resampling (albumentations
 * `Affine` / `ShiftScaleRotate`, imgaug `Affine` as in the whale-fluke pipeline).
 */
export function affine(options: AffineOptions = {}): LeafTransform<AffineParams> {
  const fn = 'affine';
  checkOptions(fn, options, [
    'translate',
    'scale',
    'rotate',
    'shear',
    'interpolation',
    'fillMode',
    'fillValue',
    'p',
    'stage',
  ]);
  const { p, stage } = common(fn, options, 0.5);
  const translate = checkRange(fn, 'translate', options.translate ?? 0.0625, -1, 1, true);
  const scale = checkRange(fn, 'scale', options.scale ?? [0.9, 1.1], 0.01, 100, false);
  const rotate = checkRange(fn, 'rotate', options.rotate ?? 15, -360, 360, true);
  const shear = checkRange(fn, 'shear', options.shear ?? 10, -80, 80, true);
  const fill = checkFill(fn, options, 'reflect');
  return defineProjective<AffineParams>({
    name: fn,
    options: {
      translate: [...translate],
      scale: [...scale],
      rotate: [...rotate],
      shear: [...shear],
      ...fill,
    },
    p,
    stage,
    sampleImage: (rng) => ({
      translateX: uniform(rng, translate),
      translateY: uniform(rng, translate),
      scale: uniform(rng, scale),
      angle: uniform(rng, rotate),
      shearX: uniform(rng, shear),
      shearY: uniform(rng, shear),
    }),
    projective: { matrix: (params, height, width) => invert(affineMatrix(params, height, width)), fill },
  });
}
