import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { rotation } from './geometry.js';
import { boxMask, convolvePerImage, padReflect, remap, warpProjective } from './resample.js';
import { fromRows, rows } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const row = () => fromRows([[10, 20, 30, 40]]);
const at = (xs: number[]) => ({
  xs: tf.tensor3d(xs, [1, 1, xs.length]),
  ys: tf.zeros([1, 1, xs.length]) as tf.Tensor3D,
});

describe('remap', () => {
  it('reflects about the image edge (dcba|abcd|dcba, as tf.image.transform), repeats edges, or fills a constant', () => {
    const image = row();
    const { xs, ys } = at([-2, -1, 0, 3, 4, 5, 7]);
    const nearest = (fillMode: 'reflect' | 'edge' | 'constant') =>
      rows(remap(image, xs, ys, { interpolation: 'nearest', fillMode, fillValue: 0.5 }, 100))[0];
    // tf.image.transform's reflect of [a b c d]: −1, −2 read a, b; 4, 5 read d, c; 7 (period 8) reads a.
    expect(nearest('reflect')).toEqual([20, 10, 10, 40, 40, 30, 10]);
    expect(nearest('edge')).toEqual([10, 10, 10, 40, 40, 40, 40]);
    // Constant fill is a fraction of maxValue: 0.5 · 100.
    expect(nearest('constant')).toEqual([50, 50, 10, 40, 50, 50, 50]);
  });

  it('interpolates bilinearly, blending the constant fill at the border as tf.image.transform does', () => {
    const image = row();
    const { xs, ys } = at([0.5, 1.25, 3, 3.5, -0.5]);
    const out = rows(
      remap(image, xs, ys, { interpolation: 'bilinear', fillMode: 'constant', fillValue: 0 }, 1),
    )[0]!;
    [15, 22.5, 40, 20, 5].forEach((v, i) => {
      expect(out[i]).toBeCloseTo(v, 4);
    });
  });

  it('gives each image its own map', () => {
    const images = tf.concat([row(), tf.mul(row(), 2)]) as tf.Tensor4D;
    const xs = tf.tensor3d([[[3, 2, 1, 0]], [[0, 0, 1, 1]]]);
    const ys = tf.zeros([2, 1, 4]) as tf.Tensor3D;
    const out = remap(images, xs, ys, { interpolation: 'bilinear', fillMode: 'edge', fillValue: 0 }, 1);
    expect(Array.from(out.dataSync())).toEqual([40, 30, 20, 10, 20, 20, 40, 40]);
  });
});

describe('warpProjective', () => {
  it('rotates a 3x3 pattern by 90° exactly as numpy.rot90 (counter-clockwise)', () => {
    const image = fromRows([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    // Output-to-source matrix: rotate by −90° about the centre (1, 1).
    const r = rotation(-90);
    const m = [r[0], r[1], 1 - r[0] - r[1], r[3], r[4], 1 - r[3] - r[4], 0, 0, 1] as const;
    const fill = { interpolation: 'bilinear', fillMode: 'constant', fillValue: 0 } as const;
    const out = rows(warpProjective(image, [m], 3, 3, fill, 1)).map((r) =>
      r.map((v) => Math.round(v * 1e4) / 1e4),
    );
    expect(out).toEqual([
      [3, 6, 9],
      [2, 5, 8],
      [1, 4, 7],
    ]);
  });

  it('divides by the projective denominator', () => {
    const image = fromRows([[0, 1, 2, 3, 4, 5, 6, 7]]);
    // x_src = 2x / (0.5x + 1): output 2 reads source 2, output 6 reads source 3.
    const m = [2, 0, 0, 0, 1, 0, 0.5, 0, 1] as const;
    const fill = { interpolation: 'nearest', fillMode: 'edge', fillValue: 0 } as const;
    const out = rows(warpProjective(image, [m], 1, 8, fill, 1))[0]!;
    expect(out[2]).toBe(2);
    expect(out[6]).toBe(3);
  });
});

describe('padReflect', () => {
  it('pads any amount with BORDER_REFLECT_101, also more than the image is wide', () => {
    const out = rows(padReflect(row(), 0, 5))[0];
    // ... d c b | a b c d | c b a b c ... with period 6.
    expect(out).toEqual([20, 30, 40, 30, 20, 10, 20, 30, 40, 30, 20, 10, 20, 30]);
  });
});

describe('convolvePerImage', () => {
  it('correlates each image with its own kernel and keeps the size', () => {
    const images = tf.concat([row(), row()]) as tf.Tensor4D;
    // Image 0: [0, 1, 0] identity; image 1: [1, 0, 0] reads the left neighbour (reflected at the edge).
    const out = convolvePerImage(images, new Float32Array([0, 1, 0, 1, 0, 0]), 1, 3);
    expect(Array.from(out.dataSync())).toEqual([10, 20, 30, 40, 20, 10, 20, 30]);
  });
});

describe('boxMask', () => {
  it('marks the pixels whose centres lie inside a box, per image', () => {
    const mask = boxMask(
      [
        [[0.25, 0.5, 0.75, 1]],
        [
          [0, 0, 0.25, 0.25],
          [0.75, 0.75, 1, 1],
        ],
      ],
      4,
      4,
    );
    expect(rows(tf.slice(mask, [0, 0, 0, 0], [1, 4, 4, 1]))).toEqual([
      [0, 0, 0, 0],
      [0, 0, 1, 1],
      [0, 0, 1, 1],
      [0, 0, 0, 0],
    ]);
    expect(rows(tf.slice(mask, [1, 0, 0, 0], [1, 4, 4, 1]))).toEqual([
      [1, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 1],
    ]);
  });
});
