import * as tf from '@tensorflow/tfjs-core';
import { luma } from './color.js';
import type { EmptyParams } from './horizontal-flip.js';
import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { expandChannels } from './resample.js';
import type { CommonOptions } from './types.js';
import { checkOptions } from './validate.js';

/** Options of {@link grayscale}. */
export interface GrayscaleOptions extends CommonOptions {
  /** @defaultValue 0.5 (albumentations `ToGray`) */
  readonly p?: number;
}

/**
 * Replaces every channel by the luma `0.299·R + 0.587·G + 0.114·B` (ITU-R BT.601, albumentations
 * `ToGray`), keeping three channels. Needs RGB images.
 */
export function grayscale(options: GrayscaleOptions = {}): LeafTransform<EmptyParams> {
  const fn = 'grayscale';
  checkOptions(fn, options, ['p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  return defineLeaf<EmptyParams>({
    name: fn,
    options: {},
    p,
    stage,
    channels: 3,
    sampleImage: () => ({}),
    kernel: (images) => tf.tidy(() => expandChannels(luma(images), 3, true)),
  });
}
