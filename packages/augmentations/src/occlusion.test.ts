import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { coarseDropout } from './coarse-dropout.js';
import { randomErasing } from './random-erasing.js';
import { rows } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('randomErasing', () => {
  it('fills exactly the recorded box', () => {
    const white = tf.ones([1, 4, 6, 1]) as tf.Tensor4D;
    const t = randomErasing({ fill: 0.25 });
    const out = rows(
      t.replay(white, {
        transform: 'randomErasing',
        images: [{ top: 0.25, left: 0.5, height: 0.5, width: 1 / 3, seed: 0 }],
      }),
    );
    expect(out).toEqual([
      [1, 1, 1, 1, 1, 1],
      [1, 1, 1, 0.25, 0.25, 1],
      [1, 1, 1, 0.25, 0.25, 1],
      [1, 1, 1, 1, 1, 1],
    ]);
  });

  it('draws boxes as torchvision: area in scale, aspect in ratio, inside the image', () => {
    const params = randomErasing({ scale: [0.1, 0.2], ratio: [0.5, 2], p: 1 }).sample(
      new Rng(0),
      [300, 64, 64, 3],
    );
    for (const e of params.images) {
      const { top, left, height, width } = e!;
      expect(top + height).toBeLessThanOrEqual(1);
      expect(left + width).toBeLessThanOrEqual(1);
      expect(height * width).toBeGreaterThan(0.09);
      expect(height * width).toBeLessThan(0.21);
      expect(height / width).toBeGreaterThan(0.45);
      expect(height / width).toBeLessThan(2.2);
    }
  });

  it('fills with uniform noise from the recorded seed when fill is "random"', () => {
    const black = tf.zeros([1, 8, 8, 1]) as tf.Tensor4D;
    const t = randomErasing({ fill: 'random' });
    const box = { top: 0, left: 0, height: 1, width: 1 };
    const a = t.replay(black, { transform: 'randomErasing', images: [{ ...box, seed: 1 }] }).dataSync();
    const b = t.replay(black, { transform: 'randomErasing', images: [{ ...box, seed: 2 }] }).dataSync();
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThan(1);
    expect(Array.from(a)).not.toEqual(Array.from(b));
    expect(() => randomErasing({ fill: 'noise' as never })).toThrow(
      'Error in randomErasing: fill must be a number in [0, 1] or "random", got "noise"',
    );
  });
});

describe('coarseDropout', () => {
  it('fills every recorded hole', () => {
    const white = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    const holes = [0, 0, 0.25, 0.5, 0.5, 0.75, 1, 1];
    const out = rows(
      coarseDropout().replay(white, { transform: 'coarseDropout', images: [{ holes, seed: 0 }] }),
    );
    expect(out).toEqual([
      [0, 0, 1, 1],
      [1, 1, 1, 1],
      [1, 1, 1, 0],
      [1, 1, 1, 0],
    ]);
  });

  it('draws a number of holes in range, each of the drawn size and inside the image', () => {
    const params = coarseDropout({ holes: [2, 4], height: [0.1, 0.2], width: 0.3, p: 1 }).sample(
      new Rng(3),
      [100, 8, 8, 3],
    );
    for (const e of params.images) {
      const count = e!.holes.length / 4;
      expect(count).toBeGreaterThanOrEqual(2);
      expect(count).toBeLessThanOrEqual(4);
      for (let k = 0; k < e!.holes.length; k += 4) {
        const [top, left, bottom, right] = e!.holes.slice(k, k + 4) as [number, number, number, number];
        expect(bottom - top).toBeGreaterThanOrEqual(0.1 - 1e-12);
        expect(bottom - top).toBeLessThan(0.2);
        expect(right - left).toBeCloseTo(0.3, 12);
        expect(top).toBeGreaterThanOrEqual(0);
        expect(bottom).toBeLessThanOrEqual(1 + 1e-12);
      }
    }
  });
});
