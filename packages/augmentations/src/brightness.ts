import * as tf from '@tensorflow/tfjs-core';
import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { lighting } from './lighting.js';
import { perImage } from './resample.js';
import { uniform } from './sampling.js';
import type { CommonOptions } from './types.js';
import { checkNumber, checkOptions } from './validate.js';

/** Options of {@link brightness}. */
export interface BrightnessOptions extends CommonOptions {
  /** @defaultValue 0.2 (fastai `aug_transforms`' `max_lighting`) */
  readonly maxLighting?: number;
  /** @defaultValue 0.75 (fastai's `p_lighting`) */
  readonly p?: number;
}

/** Parameters {@link brightness} records per image. */
export type BrightnessParams = {
  /** fastai's `change`, uniform in `0.5·(1 ± maxLighting)`; 0.5 leaves the image as it is. */
  readonly change: number;
};

/**
 * fastai's `Brightness`, in logit space: `sigmoid(logit(x) + logit(change))`. Unlike an added constant it
 * never clips, it compresses towards black or white.
 */
export function brightness(options: BrightnessOptions = {}): LeafTransform<BrightnessParams> {
  const fn = 'brightness';
  checkOptions(fn, options, ['maxLighting', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.75);
  const maxLighting = checkNumber(fn, 'maxLighting', options.maxLighting ?? 0.2, 0, 0.999);
  return defineLeaf<BrightnessParams>({
    name: fn,
    options: { maxLighting },
    p,
    stage,
    sampleImage: (rng) => ({ change: uniform(rng, [0.5 * (1 - maxLighting), 0.5 * (1 + maxLighting)]) }),
    kernel: (images, params, { maxValue }) =>
      lighting(images, maxValue, (x) =>
        tf.add(
          x,
          perImage(
            params.map(({ change }) => Math.log(change / (1 - change))),
            images.shape,
          ),
        ),
      ),
  });
}
