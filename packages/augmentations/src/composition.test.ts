import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { InvalidArgumentError, Rng } from '@topk/core';
import { expectNoLeaksSync } from '@topk/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { brightnessContrast } from './brightness-contrast.js';
import { compose } from './compose.js';
import { horizontalFlip } from './horizontal-flip.js';
import { oneOf } from './one-of.js';
import { randomOrder } from './random-order.js';
import { randomResizedCrop } from './random-resized-crop.js';
import { transformFromConfig } from './registry.js';
import { rotate } from './rotate.js';
import { solarize } from './solarize.js';
import { someOf } from './some-of.js';
import { maxAbsDiff, testImages } from './test-helpers.js';
import type { CompositionParams, LeafParams, Transform } from './types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Two transforms that do not commute on a flat 0.4 image: solarize(0.5) then +0.3 gives 0.7,
// +0.3 then solarize gives 1 − 0.7 = 0.3.
const invert = () => solarize({ threshold: 0.5, p: 1 });
const lift = () => brightnessContrast({ brightness: [0.3, 0.3], contrast: 0, p: 1 });
const flat = (n: number) => tf.fill([n, 2, 2, 1], 0.4) as tf.Tensor4D;
const firstPixels = (t: tf.Tensor, n: number) => {
  const data = t.dataSync();
  return Array.from({ length: n }, (_, i) => Math.round(data[i * 4]! * 1e5) / 1e5);
};

describe('compose', () => {
  it('runs the children in order, each with its own p', () => {
    expect(firstPixels(compose([invert(), lift()]).apply(flat(1), new Rng(0)).images, 1)).toEqual([0.7]);
    expect(firstPixels(compose([lift(), invert()]).apply(flat(1), new Rng(0)).images, 1)).toEqual([0.3]);
    const params = compose([invert(), solarize({ p: 0 })]).sample(new Rng(0), [3, 2, 2, 1]);
    expect(params.steps.map((s) => (s.params as LeafParams).images.every((e) => e !== null))).toEqual([
      true,
      false,
    ]);
  });

  it('records its selection, and unselected images get nothing from any child', () => {
    const t = compose([invert(), lift()], { p: 0.5 });
    const params = t.sample(new Rng(5), [40, 2, 2, 1]);
    const selected = params.images.filter(Boolean).length;
    expect(selected).toBeGreaterThan(5);
    expect(selected).toBeLessThan(35);
    for (const step of params.steps) {
      (step.params as LeafParams).images.forEach((e, i) => {
        expect(e !== null).toBe(params.images[i]);
      });
    }
  });

  it('fuses consecutive homographies into one resampling', () => {
    const images = testImages(2);
    const quarter = () => rotate({ limit: [90, 90], fillMode: 'constant', p: 1 });
    const twice = compose([quarter(), quarter()]).apply(images, new Rng(0)).images;
    const half = rotate({ limit: [180, 180], fillMode: 'constant', p: 1 }).apply(images, new Rng(0)).images;
    expect(maxAbsDiff(twice, half)).toBeLessThan(1e-5);
    // Two 30° rotations fused are one 60° rotation, not two interpolations (which would blur more).
    const thirty = () => rotate({ limit: [30, 30], fillMode: 'reflect', p: 1 });
    const fused = compose([thirty(), thirty()]).apply(images, new Rng(0)).images;
    const sixty = rotate({ limit: [60, 60], fillMode: 'reflect', p: 1 }).apply(images, new Rng(0)).images;
    expect(maxAbsDiff(fused, sixty)).toBeLessThan(1e-5);
    const once = thirty().apply(images, new Rng(0)).images;
    const sequential = thirty().apply(once, new Rng(0)).images;
    expect(maxAbsDiff(sequential, sixty)).toBeGreaterThan(1e-3);
  });

  it('keeps fill settings apart: different fills are not fused', () => {
    const images = testImages(1);
    const a = rotate({ limit: [30, 30], fillMode: 'constant', p: 1 });
    const b = rotate({ limit: [30, 30], fillMode: 'reflect', p: 1 });
    const composed = compose([a, b]).apply(images, new Rng(0)).images;
    const sequential = b.apply(a.apply(images, new Rng(0)).images, new Rng(0)).images;
    expect(maxAbsDiff(composed, sequential)).toBe(0);
  });

  it('passes resized shapes along: a crop to 8x8 followed by a flip', () => {
    const t = compose([randomResizedCrop({ size: [8, 8] }), horizontalFlip()]);
    expect(t.outputShape([2, 16, 16, 3])).toEqual([2, 8, 8, 3]);
    const out = t.apply(testImages(2), new Rng(0)).images;
    expect(out.shape).toEqual([2, 8, 8, 3]);
  });

  it('skips train-only pipelines outside training unless the stage is always', () => {
    const images = flat(2);
    expect(maxAbsDiff(compose([lift()]).apply(images, new Rng(0), { training: false }).images, images)).toBe(
      0,
    );
    const always = compose([lift()], { stage: 'always' });
    // The composition runs, but its child is train-only.
    expect(maxAbsDiff(always.apply(images, new Rng(0), { training: false }).images, images)).toBe(0);
    const both = compose(
      [brightnessContrast({ brightness: [0.3, 0.3], contrast: 0, p: 1, stage: 'always' })],
      { stage: 'always' },
    );
    expect(firstPixels(both.apply(images, new Rng(0), { training: false }).images, 2)).toEqual([0.7, 0.7]);
  });
});

describe('oneOf', () => {
  it('applies exactly one child per selected image, drawn in proportion to the children p', () => {
    const t = oneOf([solarize({ p: 0.2 }), brightnessContrast({ p: 0.8 })], { p: 1 });
    const params = t.sample(new Rng(1), [2000, 2, 2, 1]);
    const counts = [0, 0];
    for (let i = 0; i < 2000; i++) {
      const hits = params.steps.filter((s) => (s.params as LeafParams).images[i] !== null);
      expect(hits).toHaveLength(1);
      counts[hits[0]!.child]! += 1;
    }
    // Binomial(2000, 0.2): standard deviation 17.9.
    expect(Math.abs(counts[0]! - 400)).toBeLessThan(80);
  });

  it('applies the chosen child regardless of its p, and nothing at p = 0', () => {
    const out = oneOf([solarize({ threshold: 0.3, p: 0.01 })], { p: 1 }).apply(flat(3), new Rng(0)).images;
    expect(firstPixels(out, 3)).toEqual([0.6, 0.6, 0.6]);
    const none = oneOf([invert()], { p: 0 }).sample(new Rng(0), [3, 2, 2, 1]);
    expect(none.images).toEqual([false, false, false]);
    expect(none.steps).toEqual([]);
  });

  it('requires children that keep the shape', () => {
    const t = oneOf([randomResizedCrop({ size: [4, 4] }), horizontalFlip()]);
    expect(() => t.sample(new Rng(0), [1, 8, 8, 3])).toThrow(
      'Error in oneOf: children must be transforms that keep the image shape',
    );
  });
});

describe('someOf', () => {
  it('applies n different children per image, in list order', () => {
    const children = [invert(), lift(), horizontalFlip({ p: 1 })];
    const params = someOf(children, 2).sample(new Rng(2), [300, 2, 2, 1]);
    expect(params.steps.map((s) => s.child)).toEqual([0, 1, 2]);
    for (let i = 0; i < 300; i++) {
      const hits = params.steps.filter((s) => (s.params as LeafParams).images[i] !== null);
      expect(hits).toHaveLength(2);
    }
  });

  it('rejects n outside 1..children', () => {
    expect(() => someOf([invert()], 2)).toThrow('Error in someOf: n must be an integer in [1, 1], got 2');
  });
});

describe('randomOrder', () => {
  it('runs every child in an order drawn per image, and the output follows that order', () => {
    const t = randomOrder([invert(), lift()]);
    const { images: out, params } = t.apply(flat(40), new Rng(3));
    const values = firstPixels(out, 40);
    for (let i = 0; i < 40; i++) {
      // The step that ran first on image i decides the result.
      const first = params.steps.find((s) => (s.params as LeafParams).images[i] !== null)!;
      expect(values[i]).toBe(first.child === 0 ? 0.7 : 0.3);
    }
    expect(new Set(values)).toEqual(new Set([0.7, 0.3]));
  });
});

describe('compositions', () => {
  const nested = (): Transform =>
    compose([
      oneOf([invert(), lift()], { p: 0.7 }),
      someOf([horizontalFlip(), rotate({ limit: 5 }), lift()], 2, { p: 0.8 }),
      randomOrder([invert(), horizontalFlip()]),
    ]);

  it('replay nested records exactly, after JSON, without leaking tensors', () => {
    const images = testImages(4);
    const t = nested();
    const { images: out, params } = expectNoLeaksSync(() => t.apply(images, new Rng(8)));
    const replayed = expectNoLeaksSync(() =>
      t.replay(images, JSON.parse(JSON.stringify(params)) as CompositionParams),
    );
    expect(maxAbsDiff(out, replayed)).toBe(0);
    const again = t.apply(images, new Rng(8));
    expect(again.params).toEqual(params);
    tf.dispose([images, out, replayed, again.images]);
  });

  it('round-trip nested configs', () => {
    const t = nested();
    const rebuilt = transformFromConfig(JSON.parse(JSON.stringify(t.toConfig())));
    expect(rebuilt.toConfig()).toEqual(t.toConfig());
    const images = testImages(3);
    expect(maxAbsDiff(rebuilt.apply(images, new Rng(4)).images, t.apply(images, new Rng(4)).images)).toBe(0);
  });

  it('reject bad children, options and records', () => {
    expect(() => compose([])).toThrow(
      'Error in compose: children must be a non-empty array of transforms, got array of length 0',
    );
    expect(() => oneOf([{}] as never)).toThrow(InvalidArgumentError);
    expect(() => compose([invert()], { p: 2 })).toThrow('p must be a probability in [0, 1], got 2');
    const t = compose([invert()]);
    const images = flat(2);
    expect(() => t.replay(images, { transform: 'oneOf', images: [true, true], steps: [] })).toThrow(
      'params must be a parameter record of compose',
    );
    expect(() =>
      t.replay(images, {
        transform: 'compose',
        images: [true, true],
        steps: [{ child: 3, params: { transform: 'solarize', images: [null, null] } }],
      }),
    ).toThrow('params.steps must be steps naming children 0..0');
  });
});
