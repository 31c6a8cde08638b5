import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { checkOcclusionFill, type OcclusionFill, occlude } from './occlusion.js';
import { drawSeed } from './sampling.js';
import type { CommonOptions } from './types.js';
import { checkOptions, checkRange } from './validate.js';

/** Options of {@link randomErasing}. */
export interface RandomErasingOptions extends CommonOptions {
  /**
   * Range of the erased area as a fraction of the image.
   * @defaultValue [0.02, 0.33] (torchvision `RandomErasing`, Zhong et al. 2017)
   */
  readonly scale?: readonly [number, number];
  /**
   * Range of the erased box's height / width, drawn log-uniformly.
   * @defaultValue [0.3, 3.3]
   */
  readonly ratio?: readonly [number, number];
  /** @defaultValue 0 */
  readonly fill?: OcclusionFill;
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link randomErasing} records per image: the box as fractions (empty when no box fitted). */
export type RandomErasingParams = {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
  /** Seed of the random fill. */
  readonly seed: number;
};

/**
 * Random erasing (Zhong et al. 2017, torchvision `RandomErasing`): one box of random area and aspect
 * ratio, ten tries to fit it, filled with a constant or uniform noise.
 */
export function randomErasing(options: RandomErasingOptions = {}): LeafTransform<RandomErasingParams> {
  const fn = 'randomErasing';
  checkOptions(fn, options, ['scale', 'ratio', 'fill', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  const scale = checkRange(fn, 'scale', options.scale ?? [0.02, 0.33], 0, 1, false);
  const ratio = checkRange(fn, 'ratio', options.ratio ?? [0.3, 3.3], 1e-3, 1e3, false);
  const fill = checkOcclusionFill(fn, options.fill ?? 0);
  return defineLeaf<RandomErasingParams>({
    name: fn,
    options: { scale: [...scale], ratio: [...ratio], fill },
    p,
    stage,
    sampleImage: (rng, shape) => {
      const [, height, width] = shape;
      const area = height * width;
      const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])] as const;
      for (let attempt = 0; attempt < 10; attempt++) {
        const target = area * (scale[1] > scale[0] ? rng.uniform(scale[0], scale[1]) : scale[0]);
        const aspect = Math.exp(
          logRatio[1] > logRatio[0] ? rng.uniform(logRatio[0], logRatio[1]) : logRatio[0],
        );
        const h = Math.round(Math.sqrt(target * aspect));
        const w = Math.round(Math.sqrt(target / aspect));
        if (h > 0 && w > 0 && h < height && w < width) {
          const top = rng.int(0, height - h + 1);
          const left = rng.int(0, width - w + 1);
          return {
            top: top / height,
            left: left / width,
            height: h / height,
            width: w / width,
            seed: drawSeed(rng),
          };
        }
      }
      return { top: 0, left: 0, height: 0, width: 0, seed: 0 };
    },
    kernel: (images, params, { maxValue }) =>
      occlude(
        images,
        params.map((q) => [[q.top, q.left, q.top + q.height, q.left + q.width] as const]),
        fill,
        params.map((q) => q.seed),
        maxValue,
      ),
  });
}
