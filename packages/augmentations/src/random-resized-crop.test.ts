import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { drawCropBox, randomResizedCrop } from './random-resized-crop.js';
import { ramp, rows } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const image = () => ramp(8, 8);

describe('randomResizedCrop', () => {
  it('cuts an exact crop when the box has the output size', () => {
    const t = randomResizedCrop({ size: [4, 2] });
    const out = t.replay(image(), {
      transform: 'randomResizedCrop',
      images: [{ top: 0.25, left: 0.5, height: 0.5, width: 0.25 }],
    });
    expect(out.shape).toEqual([1, 4, 2, 1]);
    const source = rows(image());
    expect(rows(out)).toEqual([2, 3, 4, 5].map((y) => [source[y]![4]!, source[y]![5]!]));
  });

  it("follows torchvision's fallback: a centred crop clamped to the ratio range", () => {
    // Ratio 2..3 never fits an 8x8 square at full area; in_ratio 1 < 2 gives w = 8, h = round(8 / 2).
    const rng = new Rng(0);
    expect(drawCropBox(rng, 8, 8, [1, 1], [2, 3])).toEqual([2, 0, 4, 8]);
    expect(drawCropBox(rng, 8, 8, [1, 1], [1, 1])).toEqual([0, 0, 8, 8]);
  });

  it('draws boxes inside the image with area and aspect in range', () => {
    const params = randomResizedCrop({ scale: [0.25, 0.5], ratio: [0.75, 1.25] }).sample(
      new Rng(1),
      [300, 64, 64, 3],
    );
    for (const box of params.images) {
      const { top, left, height, width } = box!;
      expect(top + height).toBeLessThanOrEqual(1);
      expect(left + width).toBeLessThanOrEqual(1);
      // Rounding to whole pixels moves area and aspect a little off the drawn values.
      expect(height * width).toBeGreaterThan(0.22);
      expect(height * width).toBeLessThan(0.53);
      expect(width / height).toBeGreaterThan(0.7);
      expect(width / height).toBeLessThan(1.33);
    }
  });

  it('resizes skipped images to the output size too, averaging 2x2 blocks at half size', () => {
    const images = tf.concat([image(), image()]) as tf.Tensor4D;
    const t = randomResizedCrop({ size: [4, 4], p: 0 });
    const { images: out } = t.apply(images, new Rng(0));
    expect(out.shape).toEqual([2, 4, 4, 1]);
    const source = rows(image());
    const first = rows(tf.slice(out, [0, 0, 0, 0], [1, 4, 4, 1]));
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 4; x++) {
        const mean =
          (source[2 * y]![2 * x]! +
            source[2 * y]![2 * x + 1]! +
            source[2 * y + 1]![2 * x]! +
            source[2 * y + 1]![2 * x + 1]!) /
          4;
        expect(first[y]![x]).toBeCloseTo(mean, 5);
      }
    }
    expect(t.outputShape([2, 8, 8, 1])).toEqual([2, 4, 4, 1]);
  });

  it('rejects a bad size', () => {
    expect(() => randomResizedCrop({ size: [0, 4] })).toThrow(
      'Error in randomResizedCrop: size must be [height, width] of positive integers, got array of length 2',
    );
  });
});
