import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, ramp, rows, testImages } from './test-helpers.js';
import { warp } from './warp.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('warp', () => {
  const image = () => ramp(9, 9);

  it("sends fastai's moved corners back to the image corners", () => {
    // fastai _WarpCoord with x = 0, y = −0.25: the output point (−1 − y, −1 − x) = (−0.75, −1), pixel (1, 0),
    // reads the source corner (−1, −1); (1 + y, −1 + x) = (0.75, −1), pixel (7, 0), reads (1, −1).
    const out = rows(warp({ p: 1 }).replay(image(), { transform: 'warp', images: [{ x: 0, y: -0.25 }] }));
    const source = rows(image());
    expect(out[0]![1]).toBeCloseTo(source[0]![0]!, 5);
    expect(out[0]![7]).toBeCloseTo(source[0]![8]!, 5);
    // (−1 + y, 1 + x) = (−1.25, 1) is off the image; (1 − y, 1 − x) = (1.25, 1) too.
  });

  it('is the identity at zero magnitude and draws within ±magnitude', () => {
    const images = testImages(2);
    expect(maxAbsDiff(warp({ magnitude: 0, p: 1 }).apply(images, new Rng(0)).images, images)).toBeLessThan(
      1e-5,
    );
    const params = warp({ p: 1 }).sample(new Rng(4), [100, 8, 8, 3]);
    for (const e of params.images) {
      expect(Math.abs(e!.x)).toBeLessThanOrEqual(0.2);
      expect(Math.abs(e!.y)).toBeLessThanOrEqual(0.2);
    }
  });
});
