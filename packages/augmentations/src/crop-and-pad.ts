import type { Matrix3 } from './geometry.js';
import { common, defineProjective, type LeafTransform } from './leaf.js';
import { uniform } from './sampling.js';
import type { CommonOptions, FillOptions } from './types.js';
import { checkFill, checkOptions, checkRange } from './validate.js';

/** Options of {@link cropAndPad}. */
export interface CropAndPadOptions extends CommonOptions, FillOptions {
  /**
   * Range of the amount added to each side, as a fraction of that dimension, drawn independently per
   * side: positive pads, negative crops; a number `x` means `[-x, x]`.
   * @defaultValue 0.1
   */
  readonly percent?: number | readonly [number, number];
  /** @defaultValue 'constant' (albumentations `CropAndPad`'s `pad_mode`) */
  readonly fillMode?: 'constant' | 'reflect' | 'edge';
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link cropAndPad} records per image: per side, positive is padding, negative cropping. */
export type CropAndPadParams = {
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  readonly left: number;
};

/** Maps the output frame onto the padded or cropped region, with pixel centres at half-integers. */
export function cropAndPadMatrix(params: CropAndPadParams, height: number, width: number): Matrix3 {
  const x0 = -params.left * width;
  const y0 = -params.top * height;
  const sx = (width * (1 + params.left + params.right)) / width;
  const sy = (height * (1 + params.top + params.bottom)) / height;
  return [sx, 0, x0 + 0.5 * sx - 0.5, 0, sy, y0 + 0.5 * sy - 0.5, 0, 0, 1];
}

/**
 * Crops or pads each side by a random fraction and resizes back to the input size (albumentations /
 * imgaug `CropAndPad` with `keep_size=True`, `sample_independently=True`).
 */
export function cropAndPad(options: CropAndPadOptions = {}): LeafTransform<CropAndPadParams> {
  const fn = 'cropAndPad';
  checkOptions(fn, options, ['percent', 'interpolation', 'fillMode', 'fillValue', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  const percent = checkRange(fn, 'percent', options.percent ?? 0.1, -0.45, 1, true);
  const fill = checkFill(fn, options, 'constant');
  return defineProjective<CropAndPadParams>({
    name: fn,
    options: { percent: [...percent], ...fill },
    p,
    stage,
    sampleImage: (rng) => ({
      top: uniform(rng, percent),
      right: uniform(rng, percent),
      bottom: uniform(rng, percent),
      left: uniform(rng, percent),
    }),
    projective: { matrix: cropAndPadMatrix, fill },
  });
}
