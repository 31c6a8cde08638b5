import * as tf from '@tensorflow/tfjs-core';

/** ITU-R BT.601 luma weights, as PIL's `convert('L')`, OpenCV's `COLOR_RGB2GRAY` and albumentations `ToGray`. */
export const LUMA_WEIGHTS = [0.299, 0.587, 0.114] as const;

/** `[n, h, w, 1]` luma of RGB images. */
export function luma(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.sum(tf.mul(images, tf.tensor1d([...LUMA_WEIGHTS])), -1, true) as tf.Tensor4D);
}

/**
 * RGB in [0, 1] to HSV: hue in degrees [0, 360), saturation and value in [0, 1] (the hexcone model, as
 * OpenCV's float `COLOR_RGB2HSV`). Grey pixels get hue 0.
 */
export function rgbToHsv(rgb: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] {
  return tf.tidy(() => {
    const [r, g, b] = tf.split(rgb, 3, -1) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const value = tf.maximum(tf.maximum(r, g), b);
    const chroma = tf.sub(value, tf.minimum(tf.minimum(r, g), b));
    const saturation = tf.div(chroma, tf.maximum(value, 1e-12));
    const safe = tf.maximum(chroma, 1e-12);
    const hr = tf.mod(tf.div(tf.sub(g, b), safe), 6);
    const hg = tf.add(tf.div(tf.sub(b, r), safe), 2);
    const hb = tf.add(tf.div(tf.sub(r, g), safe), 4);
    const sextant = tf.where(tf.equal(value, r), hr, tf.where(tf.equal(value, g), hg, hb));
    const hue = tf.where(tf.greater(chroma, 0), tf.mul(sextant, 60), tf.zerosLike(sextant));
    return [hue as tf.Tensor4D, saturation as tf.Tensor4D, value as tf.Tensor4D];
  });
}

/** HSV (hue in degrees, any real) back to RGB in [0, 1]: `f(n) = v − v·s·clip(min(k, 4 − k), 0, 1)`. */
export function hsvToRgb(hue: tf.Tensor4D, saturation: tf.Tensor4D, value: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const h = tf.div(hue, 60);
    const channel = (n: number): tf.Tensor => {
      const k = tf.mod(tf.add(h, n), 6);
      const ramp = tf.clipByValue(tf.minimum(k, tf.sub(4, k)), 0, 1);
      return tf.sub(value, tf.mul(tf.mul(value, saturation), ramp));
    };
    return tf.concat([channel(5), channel(3), channel(1)], -1) as tf.Tensor4D;
  });
}
