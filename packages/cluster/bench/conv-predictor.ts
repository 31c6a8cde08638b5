import { Rng } from '@topk/core';
import type { Predictor } from '../src/predict-job.js';

/** The payload of the benchmark's small convolutional model. */
export interface ConvPayload {
  readonly classes: readonly string[];
  readonly seed: number;
  /** Input side the images are squished to. */
  readonly size: number;
}

/**
 * A small fixed-weight CNN on tfjs's CPU backend (conv 3×3×16, pool, conv 3×3×32, pool, dense, softmax):
 * about 1.6 M multiply-adds per 32 × 32 image, so prediction, not decoding, dominates, as with a real
 * model. Weights come from the seed, so every worker holds the same model.
 */
export async function convPredictor(payload: ConvPayload): Promise<Predictor> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  const { classes, seed, size } = payload;
  const rng = new Rng(seed);
  const weights = (shape: number[], fanIn: number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return tf.tensor(
      Float32Array.from({ length: n }, () => rng.normal(0, Math.sqrt(2 / fanIn))),
      shape,
    );
  };
  const k1 = weights([3, 3, 3, 16], 27);
  const k2 = weights([3, 3, 16, 32], 144);
  const flat = (size / 4) * (size / 4) * 32;
  const dense = weights([flat, classes.length], flat);
  return {
    classes,
    decode: { channels: 3, resize: { size } },
    predict(images) {
      const pixels = new Float32Array(images.length * size * size * 3);
      images.forEach((image, i) => {
        for (let k = 0; k < image.data.length; k++) pixels[i * size * size * 3 + k] = image.data[k]! / 255;
      });
      return tf.tidy(() => {
        const x = tf.tensor4d(pixels, [images.length, size, size, 3]);
        const h1 = tf.maxPool(tf.relu(tf.conv2d(x, k1 as never, 1, 'same')), 2, 2, 'valid');
        const h2 = tf.maxPool(tf.relu(tf.conv2d(h1, k2 as never, 1, 'same')), 2, 2, 'valid');
        const logits = tf.matMul(tf.reshape(h2, [images.length, flat]), dense as never);
        return tf.softmax(logits).dataSync() as Float32Array;
      });
    },
    dispose() {
      tf.dispose([k1, k2, dense]);
    },
  };
}
