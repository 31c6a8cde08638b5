import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { compose } from './compose.js';
import { horizontalFlip } from './horizontal-flip.js';
import { fromRows, rows } from './test-helpers.js';
import { verticalFlip } from './vertical-flip.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const pattern = () =>
  fromRows([
    [1, 2, 3],
    [4, 5, 6],
    [7, 8, 9],
  ]);

describe('horizontalFlip', () => {
  it('mirrors left to right exactly', () => {
    const out = horizontalFlip({ p: 1 }).apply(pattern(), new Rng(0)).images;
    expect(rows(out)).toEqual([
      [3, 2, 1],
      [6, 5, 4],
      [9, 8, 7],
    ]);
  });

  it('flips only the images its record selects', () => {
    const images = tf.concat([pattern(), pattern()]) as tf.Tensor4D;
    const out = horizontalFlip().replay(images, { transform: 'horizontalFlip', images: [null, {}] });
    expect(rows(tf.slice(out, [0, 0, 0, 0], [1, 3, 3, 1]))[0]).toEqual([1, 2, 3]);
    expect(rows(tf.slice(out, [1, 0, 0, 0], [1, 3, 3, 1]))[0]).toEqual([3, 2, 1]);
  });

  it('fuses with a vertical flip inside compose into an exact 180° rotation', () => {
    const both = compose([horizontalFlip({ p: 1 }), verticalFlip({ p: 1 })]);
    expect(rows(both.apply(pattern(), new Rng(0)).images)).toEqual([
      [9, 8, 7],
      [6, 5, 4],
      [3, 2, 1],
    ]);
  });

  it('flips about half of the images with the default p = 0.5', () => {
    const params = horizontalFlip().sample(new Rng(1), [2000, 4, 4, 3]);
    const flipped = params.images.filter((e) => e !== null).length;
    // Binomial(2000, 0.5): standard deviation 22.4; 4.5 of them either side.
    expect(Math.abs(flipped - 1000)).toBeLessThan(100);
  });
});
