import * as tf from '@tensorflow/tfjs-core';
import { common, defineLeaf, type LeafTransform } from './leaf.js';
import type { CommonOptions } from './types.js';
import { checkOptions } from './validate.js';

/** Options of {@link channelShuffle}. */
export interface ChannelShuffleOptions extends CommonOptions {
  /** @defaultValue 0.5 (albumentations `ChannelShuffle`) */
  readonly p?: number;
}

/** Parameters {@link channelShuffle} records per image. */
export type ChannelShuffleParams = {
  /** Output channel `c` is input channel `order[c]`. */
  readonly order: readonly number[];
};

/**
 * Permutes the channels of each image at random (albumentations `ChannelShuffle`). Exact: each output
 * channel is one input channel times one plus the others times zero, elementwise (no matrix product,
 * which some GPUs round to TF32).
 */
export function channelShuffle(options: ChannelShuffleOptions = {}): LeafTransform<ChannelShuffleParams> {
  const fn = 'channelShuffle';
  checkOptions(fn, options, ['p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  return defineLeaf<ChannelShuffleParams>({
    name: fn,
    options: {},
    p,
    stage,
    sampleImage: (rng, shape) => ({ order: rng.permutation(shape[3]) }),
    kernel: (images, params) =>
      tf.tidy(() => {
        const [n, , , c] = images.shape;
        // selector[b, 0, 0, out, in] = 1 where order[out] = in.
        const selector = new Float32Array(n * c * c);
        params.forEach(({ order }, b) => {
          order.forEach((source, out) => {
            selector[(b * c + out) * c + source] = 1;
          });
        });
        const s = tf.tensor5d(selector, [n, 1, 1, c, c]);
        return tf.sum(tf.mul(tf.expandDims(images, 3), s), -1) as tf.Tensor4D;
      }),
  });
}
