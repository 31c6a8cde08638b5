import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fog } from './fog.js';
import { rain } from './rain.js';
import { rows } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('rain', () => {
  it('draws each recorded drop as a streak of dropLength in dropColor', () => {
    const t = rain({ dropLength: 0.5, blur: 1, brightness: 1, dropColor: [1, 0.5, 0.25], p: 1 });
    const black = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    // One vertical drop from pixel (3, 2): length 4 rows, so rows 2..6 of column 3.
    const out = t.replay(black, { transform: 'rain', images: [{ slant: 0, drops: [3 / 8, 2 / 8] }] });
    const red = rows(tf.slice(out, [0, 0, 0, 0], [1, 8, 8, 1]));
    const blue = rows(tf.slice(out, [0, 0, 0, 2], [1, 8, 8, 1]));
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const onDrop = x === 3 && y >= 2 && y <= 6;
        expect(red[y]![x]).toBe(onDrop ? 1 : 0);
        expect(blue[y]![x]).toBe(onDrop ? 0.25 : 0);
      }
    }
  });

  it('darkens the whole image by the brightness coefficient and slants drops', () => {
    const grey = tf.fill([1, 8, 8, 1], 0.5) as tf.Tensor4D;
    const t = rain({ dropLength: 0.5, blur: 1, brightness: 0.7, dropColor: 1, p: 1 });
    const out = rows(t.replay(grey, { transform: 'rain', images: [{ slant: 1, drops: [1 / 8, 0] }] }));
    expect(out[7]![7]).toBeCloseTo(0.35, 6);
    // With slant 1 the drop drifts one column per row: (1, 0), (2, 1), (3, 2), ...
    expect(out[2]![3]).toBeCloseTo(0.7, 6);
    expect(out[2]![1]).toBeCloseTo(0.35, 6);
  });

  it("draws area × density drops, albumentations' area // 600 by default", () => {
    const params = rain({ p: 1 }).sample(new Rng(0), [1, 60, 100, 3]);
    expect(params.images[0]!.drops).toHaveLength(2 * 10);
  });
});

describe('fog', () => {
  it('blends towards white by alpha · intensity · haze', () => {
    const t = fog({ alpha: 0.5, grid: 1, p: 1 });
    const grey = tf.fill([1, 4, 4, 1], 0.2) as tf.Tensor4D;
    const out = t.replay(grey, { transform: 'fog', images: [{ intensity: 1, haze: [1, 1, 1, 1] }] });
    // 0.2 + 0.5 · (1 − 0.2) = 0.6 everywhere.
    for (const v of out.dataSync()) expect(v).toBeCloseTo(0.6, 6);
    const varying = rows(
      t.replay(grey, { transform: 'fog', images: [{ intensity: 0.5, haze: [0, 1, 0, 1] }] }),
    );
    // Haze 0 on the left column, 1 on the right, linear in between (bilinear, corners aligned).
    expect(varying[0]![0]).toBeCloseTo(0.2, 6);
    expect(varying[0]![3]).toBeCloseTo(0.2 + 0.25 * 0.8, 6);
  });
});
