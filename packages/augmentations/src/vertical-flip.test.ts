import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromRows, rows } from './test-helpers.js';
import { verticalFlip } from './vertical-flip.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('verticalFlip', () => {
  it('mirrors top to bottom exactly', () => {
    const image = fromRows([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    expect(rows(verticalFlip({ p: 1 }).apply(image, new Rng(0)).images)).toEqual([
      [7, 8, 9],
      [4, 5, 6],
      [1, 2, 3],
    ]);
  });

  it('rejects bad options', () => {
    expect(() => verticalFlip({ p: -1 })).toThrow(
      'Error in verticalFlip: p must be a probability in [0, 1], got -1',
    );
  });
});
