import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@topk/core';
import { boxMask, expandChannels } from './resample.js';
import { uniformNoise } from './sampling.js';

/** What fills an occluded area: a constant (fraction of `maxValue`) or per-pixel uniform noise. */
export type OcclusionFill = number | 'random';

export function checkOcclusionFill(fn: string, value: unknown): OcclusionFill {
  if (value === 'random' || (typeof value === 'number' && value >= 0 && value <= 1)) return value;
  throw new InvalidArgumentError(fn, 'fill', 'a number in [0, 1] or "random"', value);
}

/** Replaces the pixels inside each image's boxes by the fill; `seeds` feed the random fill. */
export function occlude(
  images: tf.Tensor4D,
  boxes: readonly (readonly (readonly [number, number, number, number])[])[],
  fill: OcclusionFill,
  seeds: readonly number[],
  maxValue: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, height, width, channels] = images.shape;
    const mask = expandChannels(boxMask(boxes, height, width), channels);
    let value: tf.Tensor;
    if (fill === 'random') {
      const size = height * width * channels;
      const noise = new Float32Array(n * size);
      seeds.forEach((seed, b) => {
        noise.set(uniformNoise(seed, size), b * size);
      });
      value = tf.mul(tf.tensor4d(noise, [n, height, width, channels]), maxValue);
    } else {
      value = tf.scalar(fill * maxValue);
    }
    return tf.add(tf.mul(images, tf.sub(1, mask)), tf.mul(mask, value)) as tf.Tensor4D;
  });
}
