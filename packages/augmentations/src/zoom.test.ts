import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, ramp, rows, testImages } from './test-helpers.js';
import { zoom } from './zoom.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('zoom', () => {
  const image = () => ramp(9, 9);

  it('zooms 2x into the top-left corner when the view sits at (0, 0)', () => {
    // fastai zoom_mat: s = 1/2, c = (1 − s)(2·0 − 1) = −1/2, so u_src = u/2 − 1/2: output x reads x/2.
    const out = rows(
      zoom({ p: 1 }).replay(image(), { transform: 'zoom', images: [{ zoom: 2, col: 0, row: 0 }] }),
    );
    const source = rows(image());
    for (const y of [0, 2, 4, 6, 8]) {
      for (const x of [0, 2, 4, 6, 8]) expect(out[y]![x]).toBeCloseTo(source[y / 2]![x / 2]!, 5);
    }
  });

  it('zooms about the centre when the view sits in the middle', () => {
    const out = rows(
      zoom({ p: 1 }).replay(image(), { transform: 'zoom', images: [{ zoom: 2, col: 0.5, row: 0.5 }] }),
    );
    const source = rows(image());
    // x_src = 4 + (x − 4)/2: output 0 reads 2, output 8 reads 6.
    expect(out[0]![0]).toBeCloseTo(source[2]![2]!, 5);
    expect(out[8]![8]).toBeCloseTo(source[6]![6]!, 5);
  });

  it('is the identity at zoom 1 and draws within the range', () => {
    const images = testImages(2);
    expect(
      maxAbsDiff(zoom({ minZoom: 1, maxZoom: 1, p: 1 }).apply(images, new Rng(0)).images, images),
    ).toBeLessThan(1e-6);
    const params = zoom({ p: 1 }).sample(new Rng(1), [100, 8, 8, 3]);
    for (const e of params.images) {
      expect(e!.zoom).toBeGreaterThanOrEqual(1);
      expect(e!.zoom).toBeLessThan(1.1);
    }
  });

  it('rejects maxZoom below minZoom', () => {
    expect(() => zoom({ minZoom: 1.2, maxZoom: 1.1 })).toThrow(
      'Error in zoom: maxZoom must be a number in [1.2, 100], got 1.1',
    );
  });
});
