import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { flipHorizontal } from './resample.js';
import type { CommonOptions } from './types.js';
import { checkOptions } from './validate.js';

/** Options of {@link horizontalFlip}. */
export interface HorizontalFlipOptions extends CommonOptions {
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters of transforms that draw nothing (flips, grayscale): an empty object per applied image. */
export type EmptyParams = { readonly [key: string]: never };

/**
 * Mirrors images left to right (albumentations `HorizontalFlip`, fastai `Flip`). Exact: pixels are
 * reordered, never interpolated.
 *
 * @example
 * ```ts
 * const { images: flipped, params } = horizontalFlip({ p: 0.5 }).apply(images, new Rng(0));
 * ```
 */
export function horizontalFlip(options: HorizontalFlipOptions = {}): LeafTransform<EmptyParams> {
  const fn = 'horizontalFlip';
  checkOptions(fn, options, ['p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  return defineLeaf<EmptyParams>({
    name: fn,
    options: {},
    p,
    stage,
    sampleImage: () => ({}),
    kernel: flipHorizontal,
    projective: { matrix: (_, _height, width) => [-1, 0, width - 1, 0, 1, 0, 0, 0, 1], fill: null },
  });
}
