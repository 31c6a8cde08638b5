import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { checkOcclusionFill, type OcclusionFill, occlude } from './occlusion.js';
import { drawSeed, uniform, uniformInt } from './sampling.js';
import type { CommonOptions } from './types.js';
import { checkOptions, checkRange } from './validate.js';

/** Options of {@link coarseDropout}. */
export interface CoarseDropoutOptions extends CommonOptions {
  /** Range of the number of holes. @defaultValue [1, 8] (albumentations `CoarseDropout`'s `max_holes` 8) */
  readonly holes?: number | readonly [number, number];
  /** Range of a hole's height, as a fraction of the image height. @defaultValue [0.05, 0.1] */
  readonly height?: number | readonly [number, number];
  /** Range of a hole's width, as a fraction of the image width. @defaultValue [0.05, 0.1] */
  readonly width?: number | readonly [number, number];
  /** @defaultValue 0 */
  readonly fill?: OcclusionFill;
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link coarseDropout} records per image. */
export type CoarseDropoutParams = {
  /** Holes as `[top, left, bottom, right, …]`, fractions of the image. */
  readonly holes: readonly number[];
  /** Seed of the random fill. */
  readonly seed: number;
};

/**
 * Coarse dropout / cutout (DeVries & Taylor 2017, albumentations `CoarseDropout` and `Cutout`): several
 * rectangular holes of random size, each inside the image, filled with a constant or noise.
 */
export function coarseDropout(options: CoarseDropoutOptions = {}): LeafTransform<CoarseDropoutParams> {
  const fn = 'coarseDropout';
  checkOptions(fn, options, ['holes', 'height', 'width', 'fill', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  const holes = checkRange(fn, 'holes', options.holes ?? [1, 8], 0, 1000, false, true);
  const height = checkRange(fn, 'height', options.height ?? [0.05, 0.1], 0, 1, false);
  const width = checkRange(fn, 'width', options.width ?? [0.05, 0.1], 0, 1, false);
  const fill = checkOcclusionFill(fn, options.fill ?? 0);
  return defineLeaf<CoarseDropoutParams>({
    name: fn,
    options: { holes: [...holes], height: [...height], width: [...width], fill },
    p,
    stage,
    sampleImage: (rng) => {
      const count = uniformInt(rng, holes);
      const boxes: number[] = [];
      for (let k = 0; k < count; k++) {
        const h = uniform(rng, height);
        const w = uniform(rng, width);
        const top = rng.uniform(0, 1 - h + Number.EPSILON);
        const left = rng.uniform(0, 1 - w + Number.EPSILON);
        boxes.push(top, left, top + h, left + w);
      }
      return { holes: boxes, seed: drawSeed(rng) };
    },
    kernel: (images, params, { maxValue }) =>
      occlude(
        images,
        params.map((q) => {
          const list: [number, number, number, number][] = [];
          for (let k = 0; k + 3 < q.holes.length; k += 4) {
            list.push([q.holes[k]!, q.holes[k + 1]!, q.holes[k + 2]!, q.holes[k + 3]!]);
          }
          return list;
        }),
        fill,
        params.map((q) => q.seed),
        maxValue,
      ),
  });
}
