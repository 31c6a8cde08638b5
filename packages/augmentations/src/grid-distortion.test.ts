import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gridAxisMap, gridDistortion } from './grid-distortion.js';
import { fromRows, maxAbsDiff, rows, testImages } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('gridDistortion', () => {
  it('maps each cell linearly onto a stretch of the source steps[k] times as long', () => {
    // 5 pixels, two cells of 2: the first reads twice its length (0..4), the second nothing (4..4).
    expect(Array.from(gridAxisMap([2, 0], 5))).toEqual([0, 2, 4, 4, 4]);
    expect(Array.from(gridAxisMap([1, 1, 1, 1], 5))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(gridAxisMap([0.5, 1.5], 5))).toEqual([0, 0.5, 1, 2.5, 4]);
  });

  it('resamples with the per-axis maps', () => {
    const image = fromRows([[0, 0.1, 0.2, 0.3, 0.4]]);
    const t = gridDistortion({ numSteps: 2, p: 1 });
    const out = rows(
      t.replay(image, { transform: 'gridDistortion', images: [{ xSteps: [2, 0], ySteps: [1, 1] }] }),
    )[0]!;
    [0, 0.2, 0.4, 0.4, 0.4].forEach((v, i) => {
      expect(out[i]).toBeCloseTo(v, 6);
    });
  });

  it('is the identity with no distortion', () => {
    const images = testImages(2);
    expect(
      maxAbsDiff(gridDistortion({ distortLimit: 0, p: 1 }).apply(images, new Rng(0)).images, images),
    ).toBeLessThan(1e-5);
  });
});
