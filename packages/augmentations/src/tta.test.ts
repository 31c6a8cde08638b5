import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { InvalidArgumentError, Rng } from '@topk/core';
import { expectNoLeaks } from '@topk/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { compose } from './compose.js';
import { horizontalFlip } from './horizontal-flip.js';
import { rotate } from './rotate.js';
import { ramp, rows, testImages } from './test-helpers.js';
import { aggregatePredictions, fiveCropOffsets, tta, ttaViews } from './tta.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const grid = () => tf.mul(ramp(5, 5), 25) as tf.Tensor4D; // values 0..24, row-major

describe('ttaViews', () => {
  it("cuts torchvision's five crops: corners then the centre", () => {
    const views = ttaViews(grid(), { kind: 'fiveCrop', size: 3 });
    expect(views.map((v) => rows(v).map((r) => r.map(Math.round)))).toEqual([
      [
        [0, 1, 2],
        [5, 6, 7],
        [10, 11, 12],
      ],
      [
        [2, 3, 4],
        [7, 8, 9],
        [12, 13, 14],
      ],
      [
        [10, 11, 12],
        [15, 16, 17],
        [20, 21, 22],
      ],
      [
        [12, 13, 14],
        [17, 18, 19],
        [22, 23, 24],
      ],
      [
        [6, 7, 8],
        [11, 12, 13],
        [16, 17, 18],
      ],
    ]);
    // torchvision centres with round((H − h) / 2): a 4-wide crop of 7 starts at round(1.5) = 2.
    expect(fiveCropOffsets(7, 7, 4, 4)[4]).toEqual([2, 2]);
    expect(fiveCropOffsets(6, 8, 2, 3)).toEqual([
      [0, 0],
      [0, 5],
      [4, 0],
      [4, 5],
      [2, 3],
    ]);
  });

  it('adds the five crops of the mirrored image for ten crops', () => {
    const views = ttaViews(grid(), { kind: 'tenCrop', size: [3, 2] });
    expect(views).toHaveLength(10);
    // Top-left of the mirror is the mirrored top-right crop of the original.
    const mirroredTopRight = rows(views[1]!).map((r) => [...r].reverse());
    expect(rows(views[5]!)).toEqual(mirroredTopRight);
    expect(views[5]!.shape).toEqual([1, 3, 2, 1]);
  });

  it('resizes crops to the model input when asked', () => {
    const views = ttaViews(testImages(2), { kind: 'fiveCrop', size: 8, resize: [16, 16] });
    expect(views.every((v) => v.shape.join() === '2,16,16,3')).toBe(true);
  });

  it('gives the image and its mirrors for flips, and n seeded augmentations plus the original', () => {
    const image = grid();
    const flips = ttaViews(image, { kind: 'flips', vertical: true });
    expect(rows(flips[1]!)[0]!.map(Math.round)).toEqual([4, 3, 2, 1, 0]);
    expect(rows(flips[2]!)[0]!.map(Math.round)).toEqual([20, 21, 22, 23, 24]);
    const policy = {
      kind: 'augment',
      transform: compose([horizontalFlip(), rotate({ limit: 10 })]),
      n: 3,
    } as const;
    const a = ttaViews(image, policy, { rng: new Rng(5) });
    const b = ttaViews(image, policy, { rng: new Rng(5) });
    expect(a).toHaveLength(4);
    expect(rows(a[0]!)).toEqual(rows(image));
    a.forEach((v, i) => {
      expect(Array.from(v.dataSync())).toEqual(Array.from(b[i]!.dataSync()));
    });
    expect(ttaViews(image, { ...policy, includeOriginal: false }, { rng: new Rng(5) })).toHaveLength(3);
  });

  it('rejects bad policies', () => {
    const image = grid();
    expect(() => ttaViews(image, { kind: 'sevenCrop' } as never)).toThrow(
      'Error in ttaViews: policy.kind must be one of',
    );
    expect(() => ttaViews(image, { kind: 'fiveCrop', size: 6 })).toThrow(
      'policy.size must be at most the image size 5x5, got "6x6"',
    );
    expect(() => ttaViews(image, { kind: 'augment', transform: horizontalFlip(), n: 2 })).toThrow(
      'rng must be an Rng',
    );
    expect(() => ttaViews(image, { kind: 'augment', transform: horizontalFlip(), n: 0 })).toThrow(
      'policy.n must be a positive integer, got 0',
    );
  });
});

describe('tta', () => {
  // A stand-in model: per image, the mean and the top-left value of the view, as two "classes".
  const predict = (view: tf.Tensor4D) =>
    tf.tidy(() =>
      tf.concat(
        [
          tf.reshape(tf.mean(view, [1, 2, 3]), [-1, 1]),
          tf.reshape(tf.slice(view, [0, 0, 0, 0], [-1, 1, 1, 1]), [-1, 1]),
        ],
        1,
      ),
    );

  it('averages or takes the maximum of the per-view predictions', async () => {
    const image = grid();
    const { probabilities: mean } = await tta(image, predict, { kind: 'fiveCrop', size: 3 });
    // Means of the five crops: 6, 8, 16, 18, 12; top-left values: 0, 2, 10, 12, 6.
    expect(Array.from(mean.dataSync()).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([12, 6]);
    const { probabilities: max } = await tta(
      image,
      predict,
      { kind: 'fiveCrop', size: 3 },
      { aggregate: 'max' },
    );
    expect(Array.from(max.dataSync()).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([18, 12]);
  });

  it('returns the views on request and leaks nothing otherwise', async () => {
    const images = testImages(2);
    const result = await expectNoLeaks(() => tta(images, predict, { kind: 'tenCrop', size: 12 }));
    expect(result.views).toBeUndefined();
    expect(result.probabilities.shape).toEqual([2, 2]);
    result.probabilities.dispose();
    const kept = await tta(images, async (v) => predict(v), { kind: 'flips' }, { keepViews: true });
    expect(kept.views).toHaveLength(2);
    expect(kept.views!.every((v) => !v.isDisposed)).toBe(true);
  });

  it('matches aggregatePredictions on the same views', async () => {
    const images = testImages(3);
    const views = ttaViews(images, { kind: 'flips', vertical: true });
    const expected = aggregatePredictions(views.map(predict), 'mean');
    const { probabilities } = await tta(images, predict, { kind: 'flips', vertical: true });
    Array.from(probabilities.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(expected.dataSync()[i]!, 6);
    });
  });

  it('rejects a predict that is not a function or returns no tensor', async () => {
    const image = grid();
    await expect(tta(image, 3 as never, { kind: 'flips' })).rejects.toThrow(
      'Error in tta: predict must be a function',
    );
    await expect(tta(image, () => 1 as never, { kind: 'flips' })).rejects.toThrow(
      'predict must be a function returning a tensor',
    );
    expect(() => aggregatePredictions([tf.zeros([2]), tf.zeros([3])])).toThrow(InvalidArgumentError);
    expect(() => aggregatePredictions([])).toThrow('predictions must be a non-empty array of tensors');
  });
});
