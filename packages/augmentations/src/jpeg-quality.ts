import * as tf from '@tensorflow/tfjs-core';
import { common, defineLeaf, type LeafTransform } from './leaf.js';
import { uniformInt } from './sampling.js';
import type { CommonOptions } from './types.js';
import { checkOptions, checkRange } from './validate.js';

/** Options of {@link jpegQuality}. */
export interface JpegQualityOptions extends CommonOptions {
  /**
   * Range of the JPEG quality, 1 to 100 (IJG scale).
   * @defaultValue [50, 95]
   */
  readonly quality?: number | readonly [number, number];
  /** @defaultValue 0.5 */
  readonly p?: number;
}

/** Parameters {@link jpegQuality} records per image. */
export type JpegQualityParams = { readonly quality: number };

/** ITU-T T.81 Annex K, Table K.1: luminance quantisation table (quality 50). */
export const LUMINANCE_TABLE = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22,
  29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103,
  121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
] as const;

/** ITU-T T.81 Annex K, Table K.2: chrominance quantisation table (quality 50). */
export const CHROMINANCE_TABLE = [
  17,
  18,
  24,
  47,
  99,
  99,
  99,
  99,
  18,
  21,
  26,
  66,
  99,
  99,
  99,
  99,
  24,
  26,
  56,
  99,
  99,
  99,
  99,
  99,
  47,
  66,
  99,
  99,
  99,
  99,
  99,
  99,
  ...new Array<number>(32).fill(99),
] as const;

/** The IJG (libjpeg `jpeg_quality_scaling`) table for a quality: `floor((T·s + 50) / 100)` in [1, 255]. */
export function scaledTable(table: readonly number[], quality: number): number[] {
  const s = quality < 50 ? Math.floor(5000 / quality) : 200 - 2 * quality;
  return table.map((t) => Math.min(255, Math.max(1, Math.floor((t * s + 50) / 100))));
}

/** The orthonormal 8-point DCT-II matrix: `D[u][x] = c(u)·cos((2x + 1)uπ/16)`. */
export function dctMatrix(): number[] {
  const out: number[] = [];
  for (let u = 0; u < 8; u++) {
    const c = u === 0 ? Math.sqrt(1 / 8) : Math.sqrt(2 / 8);
    for (let x = 0; x < 8; x++) out.push(c * Math.cos(((2 * x + 1) * u * Math.PI) / 16));
  }
  return out;
}

/** `[B, 8, 8]` blocks times `matrix` on the right: `X · M`. */
function rightMultiply(blocks: tf.Tensor3D, matrix: tf.Tensor2D): tf.Tensor3D {
  const b = blocks.shape[0];
  return tf.reshape(tf.matMul(tf.reshape(blocks, [b * 8, 8]), matrix), [b, 8, 8]);
}

/** `M · X · Mᵀ` for every block. */
function sandwich(blocks: tf.Tensor3D, matrix: tf.Tensor2D): tf.Tensor3D {
  const transposed = tf.transpose(matrix) as tf.Tensor2D;
  const once = tf.transpose(rightMultiply(blocks, transposed), [0, 2, 1]) as tf.Tensor3D;
  return tf.transpose(rightMultiply(once, transposed), [0, 2, 1]) as tf.Tensor3D;
}

/**
 * JPEG-quality degradation without an encoder, with tensor ops: JFIF RGB → YCbCr, 8x8 block DCT,
 * quantisation with the standard tables scaled for the quality (IJG), inverse DCT, back to RGB. It is an
 * approximation of a real encode/decode round trip: no chroma subsampling (4:4:4), no entropy coding
 * (lossless anyway), edge blocks padded by replication, coefficients rounded half to even. Needs RGB.
 */
export function jpegQuality(options: JpegQualityOptions = {}): LeafTransform<JpegQualityParams> {
  const fn = 'jpegQuality';
  checkOptions(fn, options, ['quality', 'p', 'stage']);
  const { p, stage } = common(fn, options, 0.5);
  const quality = checkRange(fn, 'quality', options.quality ?? [50, 95], 1, 100, false, true);
  return defineLeaf<JpegQualityParams>({
    name: fn,
    options: { quality: [...quality] },
    p,
    stage,
    channels: 3,
    sampleImage: (rng) => ({ quality: uniformInt(rng, quality) }),
    kernel: (images, params, { maxValue }) =>
      jpegRoundTrip(
        images,
        params.map((q) => q.quality),
        maxValue,
      ),
  });
}

/** The tensor pipeline of {@link jpegQuality}, one quality per image. */
export function jpegRoundTrip(
  images: tf.Tensor4D,
  qualities: readonly number[],
  maxValue: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, height, width] = images.shape;
    const ph = Math.ceil(height / 8) * 8;
    const pw = Math.ceil(width / 8) * 8;
    const rgb = tf.mul(images, 255 / maxValue);
    const toYcc = tf.tensor2d(
      [0.299, -0.168736, 0.5, 0.587, -0.331264, -0.418688, 0.114, 0.5, -0.081312],
      [3, 3],
    );
    const ycc = tf.reshape(tf.matMul(tf.reshape(rgb, [n * height * width, 3]), toYcc), [n, height, width, 3]);
    // Level shift: Y by −128; Cb and Cr are centred on 128 already, so they stay centred on 0.
    const shifted = tf.sub(ycc, tf.tensor1d([128, 0, 0]));
    const padded = tf.pad(shifted, [
      [0, 0],
      [0, ph - height],
      [0, pw - width],
      [0, 0],
    ]);
    // Edge replication instead of the zeros `pad` wrote: gather the last row and column again.
    const rows = Array.from({ length: ph }, (_, i) => Math.min(i, height - 1));
    const cols = Array.from({ length: pw }, (_, i) => Math.min(i, width - 1));
    const edged = tf.gather(tf.gather(padded, rows, 1), cols, 2);
    const bh = ph / 8;
    const bw = pw / 8;
    const blocks = tf.reshape(tf.transpose(tf.reshape(edged, [n, bh, 8, bw, 8, 3]), [0, 1, 3, 5, 2, 4]), [
      n * bh * bw * 3,
      8,
      8,
    ]) as tf.Tensor3D;
    const dct = tf.tensor2d(dctMatrix(), [8, 8]);
    const coefficients = tf.reshape(sandwich(blocks, dct), [n, bh * bw, 3, 64]);
    const tables = qualities.flatMap((q) => {
      const luminance = scaledTable(LUMINANCE_TABLE, q);
      const chrominance = scaledTable(CHROMINANCE_TABLE, q);
      return [...luminance, ...chrominance, ...chrominance];
    });
    const table = tf.tensor4d(tables, [n, 1, 3, 64]);
    const quantised = tf.mul(tf.round(tf.div(coefficients, table)), table);
    const restored = sandwich(
      tf.reshape(quantised, [n * bh * bw * 3, 8, 8]) as tf.Tensor3D,
      tf.transpose(dct) as tf.Tensor2D,
    );
    const image = tf.slice(
      tf.reshape(tf.transpose(tf.reshape(restored, [n, bh, bw, 3, 8, 8]), [0, 1, 4, 2, 5, 3]), [
        n,
        ph,
        pw,
        3,
      ]),
      [0, 0, 0, 0],
      [n, height, width, 3],
    );
    const fromYcc = tf.tensor2d([1, 1, 1, 0, -0.344136, 1.772, 1.402, -0.714136, 0], [3, 3]);
    const back = tf.matMul(
      tf.reshape(tf.add(image, tf.tensor1d([128, 0, 0])), [n * height * width, 3]),
      fromYcc,
    );
    return tf.clipByValue(
      tf.mul(tf.reshape(back, [n, height, width, 3]), maxValue / 255),
      0,
      maxValue,
    ) as tf.Tensor4D;
  });
}
