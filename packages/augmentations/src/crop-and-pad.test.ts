import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cropAndPad } from './crop-and-pad.js';
import { fromRows, maxAbsDiff, rows, testImages } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('cropAndPad', () => {
  it('pads every side by a whole image and shrinks the content to the middle', () => {
    const image = fromRows([
      [0.1, 0.2, 0.3, 0.4],
      [0.5, 0.6, 0.7, 0.8],
      [0.9, 1.0, 0.1, 0.2],
      [0.3, 0.4, 0.5, 0.6],
    ]);
    // The region −4..8 maps onto 4 pixels: output x reads 3x − 3, so 1 and 2 read the source edges 0 and 3.
    const t = cropAndPad({ fillValue: 0.5, p: 1 });
    const out = rows(
      t.replay(image, { transform: 'cropAndPad', images: [{ top: 1, right: 1, bottom: 1, left: 1 }] }),
    );
    const expected = [
      [0.5, 0.5, 0.5, 0.5],
      [0.5, 0.1, 0.4, 0.5],
      [0.5, 0.3, 0.6, 0.5],
      [0.5, 0.5, 0.5, 0.5],
    ];
    out.forEach((r, y) => {
      r.forEach((v, x) => {
        expect(v).toBeCloseTo(expected[y]![x]!, 5);
      });
    });
  });

  it('crops a centre quarter back to full size with a negative percent', () => {
    // Cropping 1/4 of each side of an 8-wide row keeps 2..6; output x reads 1.75 + x/2.
    const image = fromRows([[0, 1, 2, 3, 4, 5, 6, 7].map((v) => v / 10)]);
    const t = cropAndPad({ p: 1 });
    const out = rows(
      t.replay(image, {
        transform: 'cropAndPad',
        images: [{ top: 0, right: -0.25, bottom: 0, left: -0.25 }],
      }),
    )[0]!;
    out.forEach((v, x) => {
      expect(v).toBeCloseTo((1.75 + x / 2) / 10, 5);
    });
  });

  it('is the identity with nothing cropped or padded', () => {
    const images = testImages(2);
    expect(maxAbsDiff(cropAndPad({ percent: 0, p: 1 }).apply(images, new Rng(0)).images, images)).toBe(0);
  });
});
