import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { elastic } from './elastic.js';
import { fromRows, maxAbsDiff, rows, testImages } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('elastic', () => {
  it('moves by the recorded field: a constant field of one pixel shifts the image', () => {
    const image = fromRows([[0.1, 0.2, 0.3, 0.4, 0.5]]);
    const t = elastic({ grid: 2, fillMode: 'reflect', p: 1 });
    // dx = 1/5 of the width is one pixel: output x reads source x + 1; the last reads 5, reflected to 4.
    const out = rows(
      t.replay(image, {
        transform: 'elastic',
        images: [{ dx: new Array(9).fill(0.2), dy: new Array(9).fill(0) }],
      }),
    )[0]!;
    [0.2, 0.3, 0.4, 0.5, 0.5].forEach((v, i) => {
      expect(out[i]).toBeCloseTo(v, 5);
    });
  });

  it('is the identity with alpha 0 and peaks at alpha otherwise', () => {
    const images = testImages(2);
    expect(maxAbsDiff(elastic({ alpha: 0, p: 1 }).apply(images, new Rng(0)).images, images)).toBe(0);
    const params = elastic({ alpha: 0.07, grid: 4, p: 1 }).sample(new Rng(1), [10, 16, 16, 3]);
    for (const e of params.images) {
      expect(e!.dx).toHaveLength(25);
      const peak = Math.max(...e!.dx.map(Math.abs), ...e!.dy.map(Math.abs));
      expect(peak).toBeCloseTo(0.07, 12);
    }
  });

  it('smooths more with a larger sigma: neighbouring lattice points agree more', () => {
    const roughness = (sigma: number) => {
      const { images } = elastic({ sigma, grid: 16, p: 1 }).sample(new Rng(2), [20, 8, 8, 1]);
      let total = 0;
      for (const e of images)
        for (let i = 0; i + 1 < e!.dx.length; i++)
          if ((i + 1) % 17 !== 0) total += Math.abs(e!.dx[i + 1]! - e!.dx[i]!);
      return total;
    };
    expect(roughness(2)).toBeLessThan(roughness(0.5) / 2);
  });
});
