import * as tf from '@tensorflow/tfjs-core';

/** fastai's `logit`: `−log(1/x − 1)` with `x` clamped to `[1e-7, 1 − 1e-7]` so it stays finite. */
export function logit(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const c = tf.clipByValue(x, 1e-7, 1 - 1e-7);
    return tf.neg(tf.log(tf.sub(tf.reciprocal(c), 1)));
  });
}

/** fastai's `lighting`: `sigmoid(f(logit(x / maxValue))) · maxValue`. */
export function lighting(
  images: tf.Tensor4D,
  maxValue: number,
  f: (logits: tf.Tensor) => tf.Tensor,
): tf.Tensor4D {
  return tf.tidy(() => tf.mul(tf.sigmoid(f(logit(tf.div(images, maxValue)))), maxValue) as tf.Tensor4D);
}
