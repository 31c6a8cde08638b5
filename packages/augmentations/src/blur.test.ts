import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gaussianBlur, gaussianKernel } from './gaussian-blur.js';
import { medianBlur, medianFilter } from './median-blur.js';
import { motionBlur, motionKernel } from './motion-blur.js';
import { fromRows, impulse, maxAbsDiff, rows, testImages } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Tests of the blurs against their kernels and references; generic properties are in conformance.test.ts.

describe('gaussianBlur', () => {
  it("uses OpenCV's getGaussianKernel: fixed tables up to 7, the sigma rule beyond", () => {
    expect(gaussianKernel(3, 0)).toEqual([0.25, 0.5, 0.25]);
    expect(gaussianKernel(5, 0)).toEqual([0.0625, 0.25, 0.375, 0.25, 0.0625]);
    // Size 9: sigma = 0.3·((9 − 1)/2 − 1) + 0.8 = 1.7.
    const k9 = gaussianKernel(9, 0);
    const raw = [-4, -3, -2, -1, 0, 1, 2, 3, 4].map((i) => Math.exp(-(i * i) / (2 * 1.7 * 1.7)));
    const total = raw.reduce((a, b) => a + b, 0);
    k9.forEach((v, i) => {
      expect(v).toBeCloseTo(raw[i]! / total, 12);
    });
    expect(gaussianKernel(3, 2).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('spreads an impulse into the outer product of the kernel', () => {
    const t = gaussianBlur();
    const out = rows(
      t.replay(impulse(7, 7, 3, 3), { transform: 'gaussianBlur', images: [{ kernelSize: 5, sigma: 0 }] }),
    );
    const k = gaussianKernel(5, 0);
    for (let y = 0; y < 7; y++) {
      for (let x = 0; x < 7; x++) {
        const expected = Math.abs(y - 3) <= 2 && Math.abs(x - 3) <= 2 ? k[y - 1]! * k[x - 1]! : 0;
        expect(out[y]![x]).toBeCloseTo(expected, 6);
      }
    }
  });

  it('blurs each image with its own kernel size in one batch', () => {
    const images = testImages(2);
    const t = gaussianBlur();
    const batch = t.replay(images, {
      transform: 'gaussianBlur',
      images: [
        { kernelSize: 3, sigma: 0 },
        { kernelSize: 7, sigma: 0 },
      ],
    });
    const alone = t.replay(tf.slice(images, [0, 0, 0, 0], [1, 16, 16, 3]), {
      transform: 'gaussianBlur',
      images: [{ kernelSize: 3, sigma: 0 }],
    });
    expect(maxAbsDiff(tf.slice(batch, [0, 0, 0, 0], [1, 16, 16, 3]), alone)).toBeLessThan(1e-6);
  });

  it('draws odd sizes only and rejects ranges without one', () => {
    const sizes = new Set(
      gaussianBlur({ p: 1 })
        .sample(new Rng(0), [200, 4, 4, 1])
        .images.map((e) => e!.kernelSize),
    );
    expect(sizes).toEqual(new Set([3, 5, 7]));
    expect(() => gaussianBlur({ blurLimit: [4, 4] })).toThrow(
      'Error in gaussianBlur: blurLimit must be a range that contains an odd size',
    );
  });
});

describe('motionBlur', () => {
  it('averages along a horizontal line at 0° and a vertical one at 90°', () => {
    const third = 1 / 3;
    expect(motionKernel(3, 0)).toEqual([0, 0, 0, third, third, third, 0, 0, 0]);
    motionKernel(3, 90).forEach((v, i) => {
      expect(v).toBeCloseTo([0, third, 0, 0, third, 0, 0, third, 0][i]!, 12);
    });
    const diagonal = motionKernel(5, 45);
    expect(diagonal.filter((v) => v > 0)).toHaveLength(5);
    expect(diagonal.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('smears an impulse along the motion', () => {
    const out = rows(
      motionBlur().replay(impulse(5, 5, 2, 2), {
        transform: 'motionBlur',
        images: [{ kernelSize: 3, angle: 0 }],
      }),
    );
    expect(out[2]!.map((v) => Math.round(v * 1e6) / 1e6)).toEqual(
      [0, 1 / 3, 1 / 3, 1 / 3, 0].map((v) => Math.round(v * 1e6) / 1e6),
    );
    expect(out[1]!.every((v) => Math.abs(v) < 1e-7)).toBe(true);
  });
});

describe('medianBlur', () => {
  it('takes the median of each window with reflect-101 borders', () => {
    const grid = [
      [0.1, 0.9, 0.2, 0.4, 0.3],
      [0.5, 0.6, 0.8, 0.1, 0.7],
      [0.3, 0.2, 0.4, 0.9, 0.5],
      [0.8, 0.7, 0.1, 0.6, 0.2],
    ];
    const reflect = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
    const expected = grid.map((r, y) =>
      r.map((_, x) => {
        const window: number[] = [];
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) window.push(grid[reflect(y + dy, 4)]![reflect(x + dx, 5)]!);
        return window.sort((a, b) => a - b)[4]!;
      }),
    );
    const out = rows(medianFilter(fromRows(grid), 3));
    out.forEach((r, y) => {
      r.forEach((v, x) => {
        expect(v).toBeCloseTo(expected[y]![x]!, 6);
      });
    });
  });

  it('removes a lone bright pixel and groups images by window size', () => {
    const images = tf.concat([impulse(5, 5, 2, 2), impulse(5, 5, 1, 1)]) as tf.Tensor4D;
    const out = medianBlur().replay(images, {
      transform: 'medianBlur',
      images: [{ kernelSize: 3 }, { kernelSize: 5 }],
    });
    expect(Math.max(...out.dataSync())).toBe(0);
  });
});
