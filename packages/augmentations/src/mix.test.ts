import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@topk/core';
import { expectNoLeaksSync } from '@topk/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { cutmix, mixup, replayMix } from './mix.js';
import { testImages } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Largest gap between the empirical CDF of `samples` and `cdf` (Kolmogorov–Smirnov statistic). */
function ks(samples: number[], cdf: (x: number) => number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  let d = 0;
  sorted.forEach((x, i) => {
    const f = cdf(x);
    d = Math.max(d, Math.abs(f - i / sorted.length), Math.abs((i + 1) / sorted.length - f));
  });
  return d;
}

/** Images whose every pixel holds the image's index + 1, and their int32 labels. */
function indexed(n: number, size = 8) {
  const images = tf.mul(
    tf.reshape(tf.range(1, n + 1, 1, 'float32'), [n, 1, 1, 1]),
    tf.ones([n, size, size, 1]),
  ) as tf.Tensor4D;
  return {
    images,
    labels: tf.tensor1d(
      Array.from({ length: n }, (_, i) => i % 3),
      'int32',
    ),
  };
}

describe('mixup', () => {
  it.each([
    // Closed-form Beta(α, α) CDFs: α = 0.5 is the arcsine law, α = 1 uniform, α = 2 is 3x² − 2x³.
    [0.5, (x: number) => (2 / Math.PI) * Math.asin(Math.sqrt(x))],
    [1, (x: number) => x],
    [2, (x: number) => 3 * x * x - 2 * x * x * x],
  ])('draws λ from Beta(%s, %s) (Kolmogorov–Smirnov, fixed seed)', (alpha, cdf) => {
    const { images, labels } = indexed(2000, 1);
    const {
      params,
      images: mixed,
      targets,
    } = mixup(images, labels, new Rng(42), { alpha, mode: 'element', numClasses: 3 });
    // Critical value at the 0.1 % level for n = 2000: 1.95 / √2000 = 0.0436.
    expect(ks([...params.lambdas], cdf)).toBeLessThan(0.0436);
    tf.dispose([images, labels, mixed, targets]);
  });

  it('mixes images and one-hot targets with the same λ, rows summing to 1', () => {
    const { images, labels } = indexed(6);
    const {
      images: mixed,
      targets,
      params,
    } = mixup(images, labels, new Rng(1), { mode: 'element', numClasses: 3 });
    const m = mixed.dataSync();
    const t = targets.arraySync();
    params.lambdas.forEach((l, i) => {
      const j = params.permutation[i]!;
      expect(m[i * 64]).toBeCloseTo(l * (i + 1) + (1 - l) * (j + 1), 5);
      const expected = [0, 0, 0];
      expected[i % 3]! += l;
      expected[j % 3]! += 1 - l;
      t[i]!.forEach((v, c) => {
        expect(v).toBeCloseTo(expected[c]!, 6);
      });
      expect(t[i]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    });
    expect([...params.permutation].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('mixes multi-label float targets row by row and uses one λ per batch by default', () => {
    const images = testImages(4);
    const multi = tf.tensor2d([
      [1, 0, 1],
      [0, 1, 0],
      [1, 1, 0],
      [0, 0, 1],
    ]);
    const { targets, params } = mixup(images, multi, new Rng(2));
    expect(new Set(params.lambdas).size).toBe(1);
    const l = params.lambdas[0]!;
    const y = multi.arraySync();
    targets.arraySync().forEach((row, i) => {
      row.forEach((v, c) => {
        expect(v).toBeCloseTo(l * y[i]![c]! + (1 - l) * y[params.permutation[i]!]![c]!, 6);
      });
    });
  });

  it('replays recorded parameters, and leaks nothing', () => {
    const { images, labels } = indexed(4);
    const first = expectNoLeaksSync(() => mixup(images, labels, new Rng(3), { numClasses: 3 }));
    const again = expectNoLeaksSync(() =>
      replayMix(images, labels, JSON.parse(JSON.stringify(first.params)), { numClasses: 3 }),
    );
    expect(Array.from(again.images.dataSync())).toEqual(Array.from(first.images.dataSync()));
    expect(Array.from(again.targets.dataSync())).toEqual(Array.from(first.targets.dataSync()));
  });

  it('rejects bad targets and options', () => {
    const { images, labels } = indexed(4);
    expect(() => mixup(images, labels, new Rng(0))).toThrow(
      'Error in mixup: numClasses must be given when targets are class indices, got undefined',
    );
    expect(() => mixup(images, tf.tensor1d([0, 1], 'int32'), new Rng(0), { numClasses: 2 })).toThrow(
      'targets must be one row per image (4)',
    );
    expect(() => mixup(images, tf.zeros([4, 2, 2]), new Rng(0))).toThrow(
      'targets must be int32 [N] class indices or float32 [N, C] targets',
    );
    expect(() => mixup(images, labels, new Rng(0), { alpha: 0, numClasses: 3 })).toThrow(
      'alpha must be a finite number > 0, got 0',
    );
    expect(() => mixup(images, labels, new Rng(0), { mode: 'pairs' as never, numClasses: 3 })).toThrow(
      'mode must be one of "batch", "element"',
    );
  });
});

describe('cutmix', () => {
  it('corrects λ to exactly the area it did not paste, per image', () => {
    const n = 50;
    const { images, labels } = indexed(n, 10);
    const {
      images: mixed,
      targets,
      params,
    } = cutmix(images, labels, new Rng(4), { mode: 'element', numClasses: 3 });
    const m = mixed.dataSync();
    const t = targets.arraySync();
    for (let i = 0; i < n; i++) {
      const own = i + 1;
      const partner = params.permutation[i]! + 1;
      let pasted = 0;
      for (let k = 0; k < 100; k++) if (own !== partner && m[i * 100 + k] === partner) pasted += 1;
      if (own !== partner) expect(params.lambdas[i]).toBeCloseTo(1 - pasted / 100, 12);
      const [top, left, bottom, right] = params.boxes![i]!;
      expect(params.lambdas[i]).toBeCloseTo(1 - ((bottom - top) * (right - left)) / 100, 12);
      expect(top).toBeGreaterThanOrEqual(0);
      expect(right).toBeLessThanOrEqual(10);
      expect(t[i]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    }
  });

  it('sizes the box from λ as the reference rand_bbox: √(1 − λ) of each side around the centre', () => {
    const { images, labels } = indexed(2, 100);
    const { params } = cutmix(images, labels, new Rng(9), { numClasses: 3 });
    const [top, left, bottom, right] = params.boxes![0]!;
    // Before clipping the box is 2·⌊cut/2⌋ wide; clipping only shrinks it.
    expect(bottom - top).toBeLessThanOrEqual(100);
    expect(right - left).toBeLessThanOrEqual(100);
    expect(params.boxes![1]).toEqual(params.boxes![0]);
    expect(params.size).toEqual([100, 100]);
  });

  it('refuses to replay boxes on another image size', () => {
    const { images, labels } = indexed(2, 8);
    const { params } = cutmix(images, labels, new Rng(0), { numClasses: 3 });
    const other = indexed(2, 6);
    expect(() => replayMix(other.images, other.labels, params, { numClasses: 3 })).toThrow(
      'cutmix boxes for 2 images of 6x6',
    );
  });
});
