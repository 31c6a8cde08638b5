import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { InvalidArgumentError, Rng } from '@topk/core';
import { expectNoLeaksSync } from '@topk/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { listTransforms, TRANSFORMS, transformFromConfig } from './registry.js';
import { maxAbsDiff, testImages } from './test-helpers.js';
import type { BatchShape, LeafParams, TransformName } from './types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Every registered transform, straight from the table: adding one to TRANSFORMS adds it here.
const names = listTransforms();

function create(name: TransformName, overrides: Record<string, unknown> = {}) {
  const { create: build, example } = TRANSFORMS[name];
  return build({ ...example, ...(overrides as Record<string, never>) });
}

describe('the transform table', () => {
  it('lists 31 transforms, each under its own name, and builds each with defaults', () => {
    expect(names).toHaveLength(31);
    for (const name of names) {
      expect(TRANSFORMS[name].name).toBe(name);
      expect(TRANSFORMS[name].create().name).toBe(name);
      expect(TRANSFORMS[name].example.p).toBe(1);
    }
  });
});

describe.each(names)('%s', (name) => {
  const shape: BatchShape = [4, 16, 16, 3];

  it('keeps the shape and the value range, without leaking tensors', () => {
    const images = testImages(4);
    const transform = create(name);
    const out = expectNoLeaksSync(() => transform.apply(images, new Rng(1)).images);
    expect(out.shape).toEqual(images.shape);
    expect(out.dtype).toBe('float32');
    const values = out.dataSync();
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(1 + 1e-6);
    tf.dispose([images, out]);
  });

  it('gives the same output and parameters for the same seed, and changes the images', () => {
    const images = testImages(4);
    const transform = create(name);
    const a = transform.apply(images, new Rng(7));
    const b = transform.apply(images, new Rng(7));
    expect(b.params).toEqual(a.params);
    expect(maxAbsDiff(a.images, b.images)).toBe(0);
    expect(maxAbsDiff(a.images, images)).toBeGreaterThan(1e-3);
    tf.dispose([images, a.images, b.images]);
  });

  it('replays recorded parameters exactly, also after a JSON round trip', () => {
    const images = testImages(4);
    const transform = create(name);
    const { images: out, params } = transform.apply(images, new Rng(3));
    const replayed = transform.replay(images, JSON.parse(JSON.stringify(params)));
    expect(maxAbsDiff(replayed, out)).toBe(0);
    tf.dispose([images, out, replayed]);
  });

  it('replays each image on its own as it does in the batch', () => {
    const images = testImages(4);
    const transform = create(name, { p: 0.6 });
    const params = transform.sample(new Rng(11), shape) as LeafParams;
    expect(params.images.some((entry) => entry === null)).toBe(true);
    expect(params.images.some((entry) => entry !== null)).toBe(true);
    const batch = transform.replay(images, params);
    for (let i = 0; i < 4; i++) {
      const one = tf.slice(images, [i, 0, 0, 0], [1, 16, 16, 3]);
      const alone = transform.replay(one, { transform: name, images: [params.images[i]!] });
      const inBatch = tf.slice(batch, [i, 0, 0, 0], [1, 16, 16, 3]);
      expect(maxAbsDiff(alone, inBatch)).toBeLessThan(1e-5);
      tf.dispose([one, alone, inBatch]);
    }
    tf.dispose([images, batch]);
  });

  it('scales with maxValue: a [0, 255] image gives 255 times the [0, 1] result', () => {
    const images = testImages(2);
    const scaled = tf.mul(images, 255) as tf.Tensor4D;
    const transform = create(name);
    const params = transform.sample(new Rng(5), [2, 16, 16, 3]);
    const unit = transform.replay(images, params);
    const wide = transform.replay(scaled, params, { maxValue: 255 });
    const rescaled = tf.div(wide, 255);
    // Rounding to 8-bit levels (posterize) can flip one level where float error meets a .5 boundary.
    expect(maxAbsDiff(rescaled, unit)).toBeLessThan(name === 'posterize' ? 1 / 255 + 1e-6 : 1e-4);
    tf.dispose([images, scaled, unit, wide, rescaled]);
  });

  it('round-trips its config through JSON', () => {
    const transform = create(name);
    const config = JSON.parse(JSON.stringify(transform.toConfig()));
    const rebuilt = transformFromConfig(config);
    expect(rebuilt.toConfig()).toEqual(transform.toConfig());
    const images = testImages(2);
    const a = transform.apply(images, new Rng(9));
    const b = rebuilt.apply(images, new Rng(9));
    expect(maxAbsDiff(a.images, b.images)).toBe(0);
    tf.dispose([images, a.images, b.images]);
  });

  it('is the identity with p = 0 and always applies with p = 1', () => {
    const images = testImages(4);
    const never = create(name, { p: 0 });
    const { images: out, params } = never.apply(images, new Rng(2));
    expect((params as LeafParams).images).toEqual([null, null, null, null]);
    expect(maxAbsDiff(out, images)).toBe(0);
    const always = create(name, { p: 1 });
    for (let seed = 0; seed < 5; seed++) {
      expect((always.sample(new Rng(seed), shape) as LeafParams).images.every((e) => e !== null)).toBe(true);
    }
    tf.dispose([images, out]);
  });

  it('is skipped outside training unless its stage is "always"', () => {
    const images = testImages(2);
    const trainOnly = create(name);
    const { images: out, params } = trainOnly.apply(images, new Rng(4), { training: false });
    expect((params as LeafParams).images).toEqual([null, null]);
    expect(maxAbsDiff(out, images)).toBe(0);
    const always = create(name, { stage: 'always' });
    const sampled = always.sample(new Rng(4), [2, 16, 16, 3], { training: false }) as LeafParams;
    expect(sampled.images.every((e) => e !== null)).toBe(true);
    tf.dispose([images, out]);
  });

  it('rejects unknown options, bad p and stage, bad images and foreign records', () => {
    const { create: build } = TRANSFORMS[name];
    expect(() => build({ colour: 1 } as never)).toThrow(InvalidArgumentError);
    expect(() => build({ p: 1.5 })).toThrow(`Error in ${name}: p must be a probability in [0, 1], got 1.5`);
    expect(() => build({ stage: 'test' } as never)).toThrow('stage must be "train" or "always"');
    const transform = build();
    const images = testImages(2);
    expect(() => transform.apply(tf.zeros([2, 4, 4]) as never, new Rng(0))).toThrow(
      'images must be a float32 rank-4',
    );
    expect(() => transform.apply(images, 42 as never)).toThrow('rng must be an Rng');
    expect(() => transform.replay(images, { transform: 'nope', images: [null, null] } as never)).toThrow(
      'params must be a parameter record of',
    );
    expect(() => transform.replay(images, { transform: name, images: [null] })).toThrow(
      'params.images must be one entry per image of the batch (2)',
    );
    expect(() =>
      transform.replay(images, { transform: name, images: [null, null] }, { maxValue: 0 }),
    ).toThrow('maxValue must be a finite number > 0');
    images.dispose();
  });
});

describe('RGB-only transforms', () => {
  it.each(names.filter((name) => TRANSFORMS[name].rgbOnly))('%s rejects one-channel images', (name) => {
    const transform = create(name);
    expect(() => transform.sample(new Rng(0), [1, 8, 8, 1])).toThrow(
      'images must be RGB images with 3 channels, got "1-channel images"',
    );
  });

  it.each(names.filter((name) => !TRANSFORMS[name].rgbOnly))('%s works on one-channel images', (name) => {
    const images = tf.mean(testImages(2), -1, true) as tf.Tensor4D;
    const out = create(name).apply(images, new Rng(1)).images;
    expect(out.shape).toEqual([2, 16, 16, 1]);
    tf.dispose([images, out]);
  });
});
