import { homography, IDENTITY, type Matrix3 } from './geometry.js';
import { common, defineProjective, type LeafTransform } from './leaf.js';
import { uniform } from './sampling.js';
import type { CommonOptions, FillOptions } from './types.js';
import { checkFill, checkOptions, checkRange } from './validate.js';

/** Options of {@link perspective}. */
export interface PerspectiveOptions extends CommonOptions, FillOptions {
  /**
   * Range of the standard deviation of the corner jitter, as a fraction of the image side.
   * @defaultValue [0.05, 0.1] (albumentations `Perspective`, imgaug `PerspectiveTransform`)
   */
  readonly scale?: readonly [number, number];
  /** @defaultValue 'reflect' */
  readonly fillMode?: 'constant' | 'reflect' | 'edge';
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link perspective} records per image. */
export type PerspectiveParams = {
  /**
   * How far each source corner moves inwards, as fractions of the side: `[x, y]` for the top-left,
   * top-right, bottom-right and bottom-left corners, in that order.
   */
  readonly jitter: readonly number[];
};

/** The largest inward jitter, so the four corners never cross (albumentations caps at 0.32 too). */
const MAX_JITTER = 0.32;

/** Output-to-source matrix: the output rectangle's corners come from the jittered quadrilateral. */
export function perspectiveMatrix({ jitter }: PerspectiveParams, height: number, width: number): Matrix3 {
  if (height < 2 || width < 2) return IDENTITY;
  const w = width - 1;
  const h = height - 1;
  const j = (k: number): number => jitter[k] ?? 0;
  const source: [number, number][] = [
    [j(0) * w, j(1) * h],
    [(1 - j(2)) * w, j(3) * h],
    [(1 - j(4)) * w, (1 - j(5)) * h],
    [j(6) * w, (1 - j(7)) * h],
  ];
  const corners: [number, number][] = [
    [0, 0],
    [w, 0],
    [w, h],
    [0, h],
  ];
  return homography(corners, source);
}

/**
 * Perspective distortion (albumentations `Perspective`): each corner of a quadrilateral inside the image
 * moves inwards by `|N(0, σ)|` of the side, σ drawn from `scale`, and that quadrilateral is stretched
 * back to the full frame.
 */
export function perspective(options: PerspectiveOptions = {}): LeafTransform<PerspectiveParams> {
  const fn = 'perspective';
  checkOptions(fn, options, ['scale', 'interpolation', 'fillMode', 'fillValue', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  const scale = checkRange(fn, 'scale', options.scale ?? [0.05, 0.1], 0, 1, false);
  const fill = checkFill(fn, options, 'reflect');
  return defineProjective<PerspectiveParams>({
    name: fn,
    options: { scale: [...scale], ...fill },
    p,
    stage,
    sampleImage: (rng) => {
      const sigma = uniform(rng, scale);
      const jitter: number[] = [];
      for (let k = 0; k < 8; k++) jitter.push(Math.abs(rng.normal(0, sigma)) % MAX_JITTER);
      return { jitter };
    },
    projective: { matrix: perspectiveMatrix, fill },
  });
}
