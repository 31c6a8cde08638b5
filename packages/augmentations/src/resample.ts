import * as tf from '@tensorflow/tfjs-core';
import type { Matrix3 } from './geometry.js';
import type { Fill } from './validate.js';

/**
 * Maps continuous source coordinates into the image as `tf.image.transform` does: `reflect` mirrors about
 * the outer edges of the border pixels (`dcba|abcd|dcba`, OpenCV's BORDER_REFLECT), `edge` clamps;
 * `constant` leaves them as they are.
 */
function mapCoordinate(coord: tf.Tensor, length: number, mode: Fill['fillMode']): tf.Tensor {
  if (mode === 'constant') return coord;
  if (mode === 'edge' || length === 1) return tf.clipByValue(coord, 0, length - 1);
  // Mirror with period 2·length about −0.5, then clamp as TensorFlow's kernel does.
  const t = tf.mod(tf.add(coord, 0.5), 2 * length);
  const folded = tf.sub(length, tf.abs(tf.sub(t, length)));
  return tf.clipByValue(tf.sub(folded, 0.5), 0, length - 1);
}

/**
 * Samples `images` at per-pixel source coordinates: output pixel `(b, i, j)` takes the value of image `b`
 * at `(xs[b, i, j], ys[b, i, j])` in pixel coordinates, interpolated as `fill.interpolation` says and
 * filled outside the image as `fill.fillMode` says, with `tf.image.transform`'s conventions. For dense maps
 * (elastic and grid distortion); it is built from gathers, which every backend has but which cost a bounds check
 * per index on cpu and wasm, so homographies go through {@link warpProjective} instead.
 */
export function remap(
  images: tf.Tensor4D,
  xs: tf.Tensor3D,
  ys: tf.Tensor3D,
  fill: Fill,
  maxValue: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, height, width, channels] = images.shape;
    const [, outHeight, outWidth] = xs.shape;
    const flat = tf.reshape(images, [n * height * width, channels]);
    const x = mapCoordinate(xs, width, fill.fillMode);
    const y = mapCoordinate(ys, height, fill.fillMode);
    // Indices in int32 (float32 is exact only up to 2^24 elements). Each image's offset is written out per
    // output pixel so that the sums below have equal shapes, the fast path on every backend.
    const offsets = new Int32Array(n * outHeight * outWidth);
    for (let b = 0; b < n; b++)
      offsets.fill(b * height * width, b * outHeight * outWidth, (b + 1) * outHeight * outWidth);
    const base = tf.tensor3d(offsets, [n, outHeight, outWidth], 'int32');
    const fillValue = fill.fillValue * maxValue;
    const constant = fill.fillMode === 'constant';
    const outShape: [number, number, number, number] = [n, outHeight, outWidth, channels];

    // One neighbour: its value where it lies inside the image, the fill value where it does not.
    const sample = (xi: tf.Tensor, yi: tf.Tensor): tf.Tensor4D => {
      const xc = tf.cast(tf.clipByValue(xi, 0, width - 1), 'int32');
      const yc = tf.cast(tf.clipByValue(yi, 0, height - 1), 'int32');
      const index = tf.add(base, tf.add(tf.mul(yc, tf.scalar(width, 'int32')), xc));
      const values = tf.reshape(tf.gather(flat, tf.reshape(index, [-1])), outShape) as tf.Tensor4D;
      if (!constant) return values;
      const inside = expandChannels(
        tf.expandDims(
          tf.cast(
            tf.logicalAnd(
              tf.logicalAnd(tf.greaterEqual(xi, 0), tf.lessEqual(xi, width - 1)),
              tf.logicalAnd(tf.greaterEqual(yi, 0), tf.lessEqual(yi, height - 1)),
            ),
            'float32',
          ),
          -1,
        ) as tf.Tensor4D,
        channels,
      );
      return tf.add(tf.mul(values, inside), tf.mul(tf.sub(1, inside), fillValue)) as tf.Tensor4D;
    };

    if (fill.interpolation === 'nearest') {
      return sample(tf.floor(tf.add(x, 0.5)), tf.floor(tf.add(y, 0.5)));
    }
    const x0 = tf.floor(x);
    const y0 = tf.floor(y);
    const x1 = tf.add(x0, 1);
    const y1 = tf.add(y0, 1);
    const fx = expandChannels(tf.expandDims(tf.sub(x, x0), -1) as tf.Tensor4D, channels);
    const fy = expandChannels(tf.expandDims(tf.sub(y, y0), -1) as tf.Tensor4D, channels);
    const gx = tf.sub(1, fx);
    const gy = tf.sub(1, fy);
    const top = tf.add(tf.mul(sample(x0, y0), gx), tf.mul(sample(x1, y0), fx));
    const bottom = tf.add(tf.mul(sample(x0, y1), gx), tf.mul(sample(x1, y1), fx));
    return tf.add(tf.mul(top, gy), tf.mul(bottom, fy)) as tf.Tensor4D;
  });
}

const TF_FILL_MODES = { constant: 'constant', reflect: 'reflect', edge: 'nearest' } as const;

/**
 * Warps each image by its own homography with `tf.image.transform` (one native kernel on wasm, webgl,
 * webgpu and tfjs-node). `matrices[b]` maps output pixel coordinates to source pixel coordinates (the
 * inverse of the visible motion), as that op expects. Two tfjs 4.22 kernel bugs are worked around:
 * tfjs-backend-cpu's `Transform` returns after the first image of a batch (the rest stay at the fill
 * value), so on cpu each image is warped on its own; tfjs-backend-wasm's `reflect` mode reads the last
 * pixel for every negative coordinate, so on wasm source coordinates are moved by two periods of the
 * reflection (`4·length`), which changes nothing for a correct reflection and keeps them positive.
 */
export function warpProjective(
  images: tf.Tensor4D,
  matrices: readonly Matrix3[],
  outHeight: number,
  outWidth: number,
  fill: Fill,
  maxValue: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, height, width, channels] = images.shape;
    const fillMode = TF_FILL_MODES[fill.fillMode];
    const shift = fillMode === 'reflect' && tf.getBackend() === 'wasm' ? [4 * width, 4 * height] : [0, 0];
    const rows = matrices.map((m) => {
      const [a, b, c, d, e, f, g, h, i] = m.map((v) => v / m[8]) as unknown as Matrix3;
      // T(shift) · M: every source coordinate moves by the shift.
      const [sx = 0, sy = 0] = shift;
      return [a + sx * g, b + sx * h, c + sx * i, d + sy * g, e + sy * h, f + sy * i, g, h];
    });
    const warp = (batch: tf.Tensor4D, transforms: number[][]): tf.Tensor4D =>
      tf.image.transform(
        batch,
        tf.tensor2d(transforms, [transforms.length, 8]),
        fill.interpolation,
        fillMode,
        fill.fillValue * maxValue,
        [outHeight, outWidth],
      );
    if (!onCpu() || n === 1) return warp(images, rows);
    return tf.concat(
      rows.map((row, b) => warp(tf.slice(images, [b, 0, 0, 0], [1, height, width, channels]), [row])),
    ) as tf.Tensor4D;
  });
}

/** Indices of rows `-before .. length - 1 + after` mirrored into `[0, length)` about the edge pixels. */
function reflectIndices(length: number, before: number, after: number): Int32Array {
  const out = new Int32Array(length + before + after);
  const period = 2 * (length - 1);
  for (let k = 0; k < out.length; k++) {
    if (length === 1) {
      out[k] = 0;
      continue;
    }
    const t = Math.abs(k - before) % period;
    out[k] = t < length ? t : period - t;
  }
  return out;
}

/** Pads height and width by mirroring about the edge pixels (OpenCV's BORDER_REFLECT_101), any amount. */
export function padReflect(images: tf.Tensor4D, padY: number, padX: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, height, width] = images.shape;
    const rows = tf.gather(images, tf.tensor1d(reflectIndices(height, padY, padY), 'int32'), 1);
    return tf.gather(rows, tf.tensor1d(reflectIndices(width, padX, padX), 'int32'), 2) as tf.Tensor4D;
  });
}

/**
 * Correlates each image with its own `kh × kw` kernel (odd sizes, centred), reflect-padded so the output
 * keeps the input's size. `kernels` holds `n` kernels of `kh·kw` values, row-major. The batch is folded
 * into channels so one depthwise convolution applies a different kernel to every image.
 */
export function convolvePerImage(
  images: tf.Tensor4D,
  kernels: Float32Array,
  kh: number,
  kw: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, height, width, channels] = images.shape;
    const padded = padReflect(images, (kh - 1) / 2, (kw - 1) / 2);
    const ph = height + kh - 1;
    const pw = width + kw - 1;
    const folded = tf.reshape(tf.transpose(padded, [1, 2, 0, 3]), [1, ph, pw, n * channels]);
    const filter = new Float32Array(kh * kw * n * channels);
    for (let t = 0; t < kh * kw; t++) {
      for (let b = 0; b < n; b++) {
        const value = kernels[b * kh * kw + t]!;
        for (let c = 0; c < channels; c++) filter[(t * n + b) * channels + c] = value;
      }
    }
    const out = tf.depthwiseConv2d(
      folded as tf.Tensor4D,
      tf.tensor4d(filter, [kh, kw, n * channels, 1]),
      1,
      'valid',
    );
    return tf.transpose(tf.reshape(out, [height, width, n, channels]), [2, 0, 1, 3]) as tf.Tensor4D;
  });
}

/** Clips to `[0, maxValue]`. */
export function clip(images: tf.Tensor, maxValue: number): tf.Tensor4D {
  return tf.clipByValue(images, 0, maxValue) as tf.Tensor4D;
}

/**
 * Whether the active backend is tfjs-backend-cpu. Its binary ops broadcast a leading dimension value by
 * value through `util.indexToLoc` (about 0.4 µs per element), and its gathers bounds-check per element,
 * while equal shapes and trailing-dimension broadcasts take a tight loop; so on cpu per-image values are
 * expanded in JavaScript and subsets are cut with slices.
 */
export function onCpu(): boolean {
  return tf.getBackend() === 'cpu';
}

/**
 * Per-image scalars for broadcasting against tensors of `shape` (`[n, …]`): `[n, 1, 1, 1]` in general,
 * the full shape on cpu.
 */
export function perImage(values: readonly number[], shape: readonly number[]): tf.Tensor4D {
  const n = values.length;
  if (!onCpu()) return tf.tensor4d([...values], [n, 1, 1, 1]);
  const [, h = 1, w = 1, c = 1] = shape;
  const size = h * w * c;
  const data = new Float32Array(n * size);
  values.forEach((v, b) => {
    data.fill(v, b * size, (b + 1) * size);
  });
  return tf.tensor4d(data, [n, h, w, c]);
}

/**
 * A `[…, 1]` tensor (a mask or per-pixel weight) ready to combine with `[…, channels]` tensors: on cpu the
 * channel is repeated (its last-axis concat is a tight copy, its broadcast is not); elsewhere it is left
 * to broadcast, or broadcast against zeros when `materialise` asks for a real `[…, channels]` tensor.
 */
export function expandChannels(t: tf.Tensor4D, channels: number, materialise = false): tf.Tensor4D {
  if (channels === 1) return t;
  if (onCpu()) return tf.concat(new Array<tf.Tensor4D>(channels).fill(t), 3);
  return materialise ? (tf.add(t, tf.zeros([channels])) as tf.Tensor4D) : t;
}

/** Per-image, per-channel values (`values[b][c]`) for broadcasting against `[n, h, w, C]`. */
export function perImageChannel(
  values: readonly (readonly number[])[],
  shape: readonly number[],
): tf.Tensor4D {
  const n = values.length;
  const [, h = 1, w = 1, c = 1] = shape;
  if (!onCpu()) return tf.tensor4d(values.flat(), [n, 1, 1, c]);
  const data = new Float32Array(n * h * w * c);
  values.forEach((row, b) => {
    for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) data[(b * h * w + p) * c + k] = row[k]!;
  });
  return tf.tensor4d(data, [n, h, w, c]);
}

/**
 * A `[n, height, width, 1]` mask: 1 where the pixel centre lies inside any of the image's boxes. Boxes are
 * `[top, left, bottom, right]` as fractions of the image (bottom and right exclusive).
 */
export function boxMask(
  boxes: readonly (readonly (readonly [number, number, number, number])[])[],
  height: number,
  width: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const n = boxes.length;
    const k = Math.max(1, ...boxes.map((b) => b.length));
    // Images with fewer boxes are padded with empty ones.
    const data = new Float32Array(n * k * 4);
    boxes.forEach((list, b) => {
      list.forEach((box, j) => {
        data.set(box, (b * k + j) * 4);
      });
    });
    const t = tf.tensor3d(data, [n, k, 4]);
    const edge = (i: number): tf.Tensor => tf.reshape(tf.slice(t, [0, 0, i], [n, k, 1]), [n, k, 1, 1]);
    const rows = tf.reshape(tf.div(tf.add(tf.range(0, height, 1, 'float32'), 0.5), height), [
      1,
      1,
      height,
      1,
    ]);
    const cols = tf.reshape(tf.div(tf.add(tf.range(0, width, 1, 'float32'), 0.5), width), [1, 1, 1, width]);
    const inRows = tf.cast(tf.logicalAnd(tf.greaterEqual(rows, edge(0)), tf.less(rows, edge(2))), 'float32');
    const inCols = tf.cast(tf.logicalAnd(tf.greaterEqual(cols, edge(1)), tf.less(cols, edge(3))), 'float32');
    return tf.expandDims(tf.max(tf.mul(inRows, inCols), 1), -1) as tf.Tensor4D;
  });
}

/** Left-right mirror with `tf.image.flipLeftRight`, a native kernel everywhere (`tf.reverse` is slow on cpu and wasm). */
export function flipHorizontal(images: tf.Tensor4D): tf.Tensor4D {
  return tf.image.flipLeftRight(images);
}

/** Top-bottom mirror: the same kernel on a view where each row is one "pixel" of `width·channels` values. */
export function flipVertical(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, height, width, channels] = images.shape;
    const rowsAsPixels = tf.reshape(images, [n, 1, height, width * channels]) as tf.Tensor4D;
    return tf.reshape(tf.image.flipLeftRight(rowsAsPixels), [n, height, width, channels]) as tf.Tensor4D;
  });
}
