import { chain, invert, type Matrix3, pixelToNormalised } from './geometry.js';
import { common, defineProjective, type LeafTransform } from './leaf.js';
import { uniform } from './sampling.js';
import type { CommonOptions, FillOptions } from './types.js';
import { checkFill, checkNumber, checkOptions } from './validate.js';

/** Options of {@link zoom}. */
export interface ZoomOptions extends CommonOptions, FillOptions {
  /** @defaultValue 1 (fastai `aug_transforms`) */
  readonly minZoom?: number;
  /** @defaultValue 1.1 (fastai `aug_transforms`) */
  readonly maxZoom?: number;
  /** @defaultValue 'reflect' (fastai's `pad_mode=Reflection`) */
  readonly fillMode?: 'constant' | 'reflect' | 'edge';
  /** @defaultValue 0.75 (fastai's `p_affine`) */
  readonly p?: number;
}

/** Parameters {@link zoom} records per image. */
export type ZoomParams = {
  /** Magnification, at least 1 to zoom in. */
  readonly zoom: number;
  /** Where the view sits horizontally, 0 (left edge) to 1 (right edge). */
  readonly col: number;
  /** Where the view sits vertically, 0 (top) to 1 (bottom). */
  readonly row: number;
};

/**
 * fastai's `zoom_mat`, in pixel coordinates: in normalised coordinates (−1..1 at the edge pixel centres)
 * the source point is `s·u + c` with `s = 1/zoom` and `c = (1 − s)(2·pct − 1)`, so a zoom in never looks
 * past the image.
 */
export function zoomMatrix({ zoom, col, row }: ZoomParams, height: number, width: number): Matrix3 {
  const s = 1 / zoom;
  const normalised: Matrix3 = [s, 0, (1 - s) * (2 * col - 1), 0, s, (1 - s) * (2 * row - 1), 0, 0, 1];
  const toNormalised = pixelToNormalised(height, width);
  return chain(invert(toNormalised), normalised, toNormalised);
}

/**
 * Random zoom towards a random point (fastai `Zoom`): magnification uniform in `[minZoom, maxZoom]`,
 * view centre uniform over the positions that keep a zoom-in inside the image.
 */
export function zoom(options: ZoomOptions = {}): LeafTransform<ZoomParams> {
  const fn = 'zoom';
  checkOptions(fn, options, ['minZoom', 'maxZoom', 'interpolation', 'fillMode', 'fillValue', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.75);
  const minZoom = checkNumber(fn, 'minZoom', options.minZoom ?? 1, 0.01, 100);
  const maxZoom = checkNumber(fn, 'maxZoom', options.maxZoom ?? 1.1, minZoom, 100);
  const fill = checkFill(fn, options, 'reflect');
  return defineProjective<ZoomParams>({
    name: fn,
    options: { minZoom, maxZoom, ...fill },
    p,
    stage,
    sampleImage: (rng) => ({ zoom: uniform(rng, [minZoom, maxZoom]), col: rng.next(), row: rng.next() }),
    projective: { matrix: zoomMatrix, fill },
  });
}
