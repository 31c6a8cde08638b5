import * as tf from '@tensorflow/tfjs-core';
import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { lighting } from './lighting.js';
import { perImage } from './resample.js';
import { uniform } from './sampling.js';
import type { CommonOptions } from './types.js';
import { checkNumber, checkOptions } from './validate.js';

/** Options of {@link contrast}. */
export interface ContrastOptions extends CommonOptions {
  /** @defaultValue 0.2 (fastai `aug_transforms`' `max_lighting`) */
  readonly maxLighting?: number;
  /** @defaultValue 0.75 (fastai's `p_lighting`) */
  readonly p?: number;
}

/** Parameters {@link contrast} records per image. */
export type ContrastParams = {
  /** fastai's `scale`, log-uniform in `[1 − maxLighting, 1 / (1 − maxLighting)]`; 1 is no change. */
  readonly scale: number;
};

/** fastai's `Contrast`, in logit space: `sigmoid(scale · logit(x))`. */
export function contrast(options: ContrastOptions = {}): LeafTransform<ContrastParams> {
  const fn = 'contrast';
  checkOptions(fn, options, ['maxLighting', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.75);
  const maxLighting = checkNumber(fn, 'maxLighting', options.maxLighting ?? 0.2, 0, 0.999);
  const bound = -Math.log(1 - maxLighting);
  return defineLeaf<ContrastParams>({
    name: fn,
    options: { maxLighting },
    p,
    stage,
    sampleImage: (rng) => ({ scale: Math.exp(uniform(rng, [-bound, bound])) }),
    kernel: (images, params, { maxValue }) =>
      lighting(images, maxValue, (x) =>
        tf.mul(
          x,
          perImage(
            params.map(({ scale }) => scale),
            images.shape,
          ),
        ),
      ),
  });
}
