import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { InvalidArgumentError, Rng } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { aboutCentre, applyToPoint, rotation } from './geometry.js';
import { rotate } from './rotate.js';
import { centroid, fromRows, impulse, maxAbsDiff, rows, testImages } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const fixed = (angle: number, fillMode: 'constant' | 'reflect' | 'edge' = 'constant') =>
  rotate({ limit: [angle, angle], fillMode, p: 1 });

describe('rotate', () => {
  it('turns a 3x3 pattern by 90° counter-clockwise, as numpy.rot90', () => {
    const image = fromRows([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    const out = rows(fixed(90).apply(image, new Rng(0)).images).map((r) =>
      r.map((v) => Math.round(v * 1e4) / 1e4),
    );
    expect(out).toEqual([
      [3, 6, 9],
      [2, 5, 8],
      [1, 4, 7],
    ]);
  });

  it('puts an impulse where the forward matrix sends it', () => {
    // 9x9, centre (4, 4); forward map x' = c + R(θ)(x − c).
    for (const angle of [90, 180, -90]) {
      const out = fixed(angle).apply(impulse(9, 9, 6, 2), new Rng(0)).images;
      const [ex, ey] = applyToPoint(aboutCentre(rotation(angle), 9, 9), 6, 2);
      const [x, y] = centroid(out);
      expect(x).toBeCloseTo(ex, 4);
      expect(y).toBeCloseTo(ey, 4);
    }
    // A non-right angle spreads the impulse over its bilinear neighbours around the same point.
    const out = fixed(30).apply(impulse(15, 15, 10, 4), new Rng(0)).images;
    const [ex, ey] = applyToPoint(aboutCentre(rotation(30), 15, 15), 10, 4);
    const [x, y] = centroid(out);
    expect(Math.hypot(x - ex, y - ey)).toBeLessThan(0.1);
  });

  it('is the identity at zero angle', () => {
    const images = testImages(2);
    expect(maxAbsDiff(fixed(0, 'reflect').apply(images, new Rng(0)).images, images)).toBe(0);
  });

  it('fills the uncovered corners with the constant, or reflects', () => {
    const white = tf.ones([1, 9, 9, 1]) as tf.Tensor4D;
    const filled = rows(
      rotate({ limit: [45, 45], fillMode: 'constant', fillValue: 0.25, p: 1 }).apply(white, new Rng(0))
        .images,
    );
    expect(filled[0]![0]).toBeCloseTo(0.25, 5);
    expect(filled[4]![4]).toBeCloseTo(1, 5);
    const reflected = fixed(45, 'reflect').apply(white, new Rng(0)).images;
    expect(Math.min(...reflected.dataSync())).toBeCloseTo(1, 5);
  });

  it('draws angles uniformly within the limit', () => {
    const params = rotate({ limit: 20, p: 1 }).sample(new Rng(3), [500, 4, 4, 1]);
    const angles = params.images.map((e) => e!.angle);
    expect(Math.min(...angles)).toBeGreaterThanOrEqual(-20);
    expect(Math.max(...angles)).toBeLessThan(20);
    // Mean of U(−20, 20) over 500 draws: standard error 20/√3/√500 ≈ 0.52.
    expect(Math.abs(angles.reduce((a, b) => a + b, 0) / 500)).toBeLessThan(2.5);
  });

  it('rejects bad options', () => {
    expect(() => rotate({ limit: [10, -10] })).toThrow(InvalidArgumentError);
    expect(() => rotate({ fillMode: 'wrap' as never })).toThrow(
      'Error in rotate: fillMode must be one of "constant", "reflect", "edge", got "wrap"',
    );
    expect(() => rotate({ fillValue: 2 })).toThrow('fillValue must be a number in [0, 1], got 2');
    expect(() => rotate({ interpolation: 'cubic' as never })).toThrow('interpolation must be one of');
  });
});
