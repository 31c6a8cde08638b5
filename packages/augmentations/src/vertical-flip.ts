import type { EmptyParams } from './horizontal-flip.js';
import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { flipVertical } from './resample.js';
import type { CommonOptions } from './types.js';
import { checkOptions } from './validate.js';

/** Options of {@link verticalFlip}. */
export interface VerticalFlipOptions extends CommonOptions {
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/**
 * Mirrors images top to bottom (albumentations `VerticalFlip`). Exact: pixels are reordered, never
 * interpolated.
 */
export function verticalFlip(options: VerticalFlipOptions = {}): LeafTransform<EmptyParams> {
  const fn = 'verticalFlip';
  checkOptions(fn, options, ['p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  return defineLeaf<EmptyParams>({
    name: fn,
    options: {},
    p,
    stage,
    sampleImage: () => ({}),
    kernel: flipVertical,
    projective: { matrix: (_, height) => [1, 0, 0, 0, -1, height - 1, 0, 0, 1], fill: null },
  });
}
