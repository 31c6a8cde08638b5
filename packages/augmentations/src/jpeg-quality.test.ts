import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { dctMatrix, jpegQuality, jpegRoundTrip, LUMINANCE_TABLE, scaledTable } from './jpeg-quality.js';
import { fromRows, maxAbsDiff, rows, testImages } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// The 8x8 block of the worked example in Wikipedia's "JPEG" article (luminance, quality 50).
const BLOCK = [
  [52, 55, 61, 66, 70, 61, 64, 73],
  [63, 59, 55, 90, 109, 85, 69, 72],
  [62, 59, 68, 113, 144, 104, 66, 73],
  [63, 58, 71, 122, 154, 106, 70, 69],
  [67, 61, 68, 104, 126, 88, 68, 70],
  [79, 65, 60, 70, 77, 68, 58, 75],
  [85, 71, 64, 59, 55, 61, 65, 83],
  [87, 79, 69, 68, 65, 76, 78, 94],
];
// Its quantised DCT coefficients and its decompressed block, from the same article.
const QUANTISED = [
  [-26, -3, -6, 2, 2, -1, 0, 0],
  [0, -2, -4, 1, 1, 0, 0, 0],
  [-3, 1, 5, -1, -1, 0, 0, 0],
  [-3, 1, 2, -1, 0, 0, 0, 0],
  [1, 0, 0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 0, 0],
];
const DECOMPRESSED = [
  [62, 65, 57, 60, 72, 63, 60, 82],
  [57, 55, 56, 82, 108, 87, 62, 71],
  [58, 50, 60, 111, 148, 114, 67, 65],
  [65, 55, 66, 120, 155, 114, 68, 70],
  [70, 63, 67, 101, 122, 88, 60, 78],
  [71, 71, 64, 70, 80, 62, 56, 81],
  [75, 82, 67, 54, 63, 65, 66, 83],
  [81, 94, 75, 54, 68, 81, 81, 87],
];

describe('jpegQuality', () => {
  it('scales the tables as libjpeg: quality 50 is Annex K, 75 and 10 follow floor((T·s + 50) / 100)', () => {
    expect(scaledTable(LUMINANCE_TABLE, 50)).toEqual([...LUMINANCE_TABLE]);
    // libjpeg's quality-75 luminance table starts 8 6 5 8 12 20 26 31.
    expect(scaledTable(LUMINANCE_TABLE, 75).slice(0, 8)).toEqual([8, 6, 5, 8, 12, 20, 26, 31]);
    expect(scaledTable(LUMINANCE_TABLE, 10)[0]).toBe(80);
    expect(new Set(scaledTable(LUMINANCE_TABLE, 100))).toEqual(new Set([1]));
  });

  it("quantises the article's block to its published coefficients", () => {
    const d = dctMatrix();
    const coefficient = (u: number, v: number) => {
      let sum = 0;
      for (let x = 0; x < 8; x++)
        for (let y = 0; y < 8; y++) sum += d[u * 8 + x]! * d[v * 8 + y]! * (BLOCK[x]![y]! - 128);
      return sum;
    };
    const quantised = QUANTISED.map((r, u) =>
      r.map((_, v) => Math.round(coefficient(u, v) / LUMINANCE_TABLE[u * 8 + v]!)),
    );
    expect(quantised.map((r) => r.map((v) => v + 0))).toEqual(QUANTISED);
  });

  it("decompresses the article's block, given as a grey RGB image, to its published values", () => {
    const grey = tf.tile(tf.div(fromRows(BLOCK), 255), [1, 1, 1, 3]) as tf.Tensor4D;
    const out = jpegRoundTrip(grey, [50], 1);
    const luma = rows(tf.slice(out, [0, 0, 0, 0], [1, 8, 8, 1])).map((r) => r.map((v) => v * 255));
    luma.forEach((r, y) => {
      r.forEach((v, x) => {
        expect(Math.abs(v - DECOMPRESSED[y]![x]!)).toBeLessThan(0.51);
      });
    });
  });

  it('changes little at quality 100 and more at lower quality, for sizes that are not multiples of 8', () => {
    const images = testImages(2, 12, 10);
    const error = (q: number) => {
      const out = jpegRoundTrip(images, [q, q], 1);
      const diff = tf.sub(out, images);
      return Math.sqrt(tf.mean(tf.square(diff)).dataSync()[0]!);
    };
    // At quality 100 every coefficient rounds to the nearest integer: RMS error about 1/√12 of a level.
    expect(error(100)).toBeLessThan(0.5 / 255);
    expect(error(10)).toBeGreaterThan(2 * error(60));
    expect(jpegRoundTrip(images, [30, 30], 1).shape).toEqual([2, 12, 10, 3]);
  });

  it('uses each image its own quality', () => {
    const images = testImages(2);
    const t = jpegQuality();
    const both = t.replay(images, { transform: 'jpegQuality', images: [{ quality: 20 }, { quality: 90 }] });
    const second = t.replay(tf.slice(images, [1, 0, 0, 0], [1, 16, 16, 3]), {
      transform: 'jpegQuality',
      images: [{ quality: 90 }],
    });
    expect(maxAbsDiff(tf.slice(both, [1, 0, 0, 0], [1, 16, 16, 3]), second)).toBeLessThan(1e-6);
  });
});
