import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { affine, affineMatrix } from './affine.js';
import { applyToPoint, chain, rotation, scaling, shearing, translation } from './geometry.js';
import { fromRows, impulse, maxAbsDiff, rows, testImages } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const none = { translateX: 0, translateY: 0, scale: 1, angle: 0, shearX: 0, shearY: 0 };

describe('affine', () => {
  it('translates by one pixel, filling the uncovered row and column', () => {
    const image = fromRows([
      [0.1, 0.2, 0.3, 0.4],
      [0.5, 0.6, 0.7, 0.8],
      [0.9, 1.0, 0.1, 0.2],
      [0.3, 0.4, 0.5, 0.6],
    ]);
    // 0.25 of a 4-pixel side is one pixel, right and down.
    const t = affine({ fillMode: 'constant', fillValue: 0.5, p: 1 });
    const out = t.replay(image, {
      transform: 'affine',
      images: [{ ...none, translateX: 0.25, translateY: 0.25 }],
    });
    const expected = [
      [0.5, 0.5, 0.5, 0.5],
      [0.5, 0.1, 0.2, 0.3],
      [0.5, 0.5, 0.6, 0.7],
      [0.5, 0.9, 1.0, 0.1],
    ];
    rows(out).forEach((r, y) => {
      r.forEach((v, x) => {
        expect(v).toBeCloseTo(expected[y]![x]!, 6);
      });
    });
  });

  it('scales about the centre: x′ = c + s·(x − c)', () => {
    const t = affine({ fillMode: 'constant', p: 1 });
    const out = rows(t.replay(impulse(9, 9, 5, 4), { transform: 'affine', images: [{ ...none, scale: 2 }] }));
    // The impulse at 5 lands at 4 + 2·1 = 6; output 5 reads source 4.5, half of it.
    expect(out[4]![6]).toBeCloseTo(1, 6);
    expect(out[4]![5]).toBeCloseTo(0.5, 6);
    expect(out[4]![4]).toBeCloseTo(0, 6);
  });

  it('shears x by tan(shearX)·(y − cy)', () => {
    // A vertical line at x = 2 of a 5x5 image, sheared by 45°: row y moves by y − 2.
    const data = Array.from({ length: 5 }, () => [0, 0, 1, 0, 0]);
    const t = affine({ fillMode: 'constant', p: 1 });
    const out = rows(t.replay(fromRows(data), { transform: 'affine', images: [{ ...none, shearX: 45 }] }));
    [0, 1, 2, 3, 4].forEach((y) => {
      expect(out[y]![y]).toBeCloseTo(1, 5);
    });
  });

  it('composes T(c + t) · R · Shear · S · T(−c)', () => {
    const params = { translateX: 0.1, translateY: -0.2, scale: 1.3, angle: 25, shearX: 7, shearY: -4 };
    const [h, w] = [20, 30];
    const [cx, cy] = [14.5, 9.5];
    const expected = chain(
      translation(cx + 3, cy - 4),
      rotation(25),
      shearing(7, -4),
      scaling(1.3, 1.3),
      translation(-cx, -cy),
    );
    const [ex, ey] = applyToPoint(expected, 3, 17);
    const [x, y] = applyToPoint(affineMatrix(params, h, w), 3, 17);
    expect(x).toBeCloseTo(ex, 10);
    expect(y).toBeCloseTo(ey, 10);
  });

  it('is the identity with zero strength', () => {
    const images = testImages(2);
    const t = affine({ translate: 0, scale: [1, 1], rotate: 0, shear: 0, p: 1 });
    expect(maxAbsDiff(t.apply(images, new Rng(0)).images, images)).toBe(0);
  });

  it('rejects bad options', () => {
    expect(() => affine({ scale: [0, 1] })).toThrow('Error in affine: scale must be [low, high]');
    expect(() => affine({ shear: 90 })).toThrow('shear must be [low, high]');
  });
});
