import * as tf from '@tensorflow/tfjs-core';

/**
 * A deterministic RGB test batch in [0, 1]: smooth gradients plus a checker pattern, different per image,
 * so geometric and colour transforms both have something to move.
 */
export function testImages(n = 3, height = 16, width = 16, channels = 3): tf.Tensor4D {
  const data = new Float32Array(n * height * width * channels);
  let k = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < channels; c++) {
          const gradient = (x / Math.max(1, width - 1) + (c + 1) * (y / Math.max(1, height - 1))) / (c + 2);
          const checker = ((x >> 2) + (y >> 2) + b) % 2 === 0 ? 0.15 : -0.15;
          data[k++] = Math.min(
            1,
            Math.max(0, 0.1 + 0.8 * gradient + checker * (c === b % channels ? 1 : 0.5)),
          );
        }
      }
    }
  }
  return tf.tensor4d(data, [n, height, width, channels]);
}

/** The largest absolute difference between two tensors' values. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
  return worst;
}

/** Pixel values of an `[1, h, w, 1]` result as rows of numbers. */
export function rows(t: tf.Tensor): number[][] {
  const [, h, w] = t.shape as [number, number, number, number];
  const data = Array.from(t.dataSync());
  return Array.from({ length: h }, (_, y) => data.slice(y * w, (y + 1) * w));
}

/** A `[1, h, w, 1]` image from rows of numbers. */
export function fromRows(values: readonly (readonly number[])[]): tf.Tensor4D {
  const h = values.length;
  const w = values[0]!.length;
  return tf.tensor4d(values.flat(), [1, h, w, 1]);
}

/** A `[1, 1, pixels, 3]` image from RGB triples. */
export function fromPixels(pixels: readonly (readonly [number, number, number])[]): tf.Tensor4D {
  return tf.tensor4d(pixels.flat(), [1, 1, pixels.length, 3]);
}

/** `[1, h, w, 1]` zeros with a single 1 at `(x, y)`. */
export function impulse(height: number, width: number, x: number, y: number): tf.Tensor4D {
  const data = new Float32Array(height * width);
  data[y * width + x] = 1;
  return tf.tensor4d(data, [1, height, width, 1]);
}

/** Centroid `(x, y)` of a `[1, h, w, 1]` image's values. */
export function centroid(t: tf.Tensor): [number, number] {
  const [, h, w] = t.shape as [number, number, number, number];
  const data = t.dataSync();
  let total = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = data[y * w + x]!;
      total += v;
      sx += v * x;
      sy += v * y;
    }
  }
  return [sx / total, sy / total];
}

/** `[1, h, w, 1]` with values `(y·w + x) / (h·w)`: every pixel different, all in [0, 1). */
export function ramp(height: number, width: number): tf.Tensor4D {
  return tf.tidy(
    () =>
      tf.div(
        tf.reshape(tf.range(0, height * width, 1, 'float32'), [1, height, width, 1]),
        height * width,
      ) as tf.Tensor4D,
  );
}
