import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { InvalidArgumentError, Rng } from '@topk/core';
import { expectNoLeaks, expectNoLeaksSync } from '@topk/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { heavy, light, standard } from './presets.js';
import { testImages } from './test-helpers.js';
import type { TransformConfig } from './types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const names = (config: TransformConfig): string[] =>
  config.children === undefined ? [config.name] : config.children.flatMap(names);

describe('standard', () => {
  it("mirrors fastai aug_transforms' defaults", () => {
    const config = standard().toConfig();
    expect(config.children!.map((c) => [c.name, c.options.p])).toEqual([
      ['horizontalFlip', 0.5],
      ['warp', 0.75],
      ['rotate', 0.75],
      ['zoom', 0.75],
      ['brightness', 0.75],
      ['contrast', 0.75],
    ]);
    const [, warpConfig, rotateConfig, zoomConfig, brightnessConfig] = config.children!;
    expect(warpConfig!.options).toMatchObject({
      magnitude: 0.2,
      fillMode: 'reflect',
      interpolation: 'bilinear',
    });
    expect(rotateConfig!.options).toMatchObject({ limit: [-10, 10], fillMode: 'reflect' });
    expect(zoomConfig!.options).toMatchObject({ minZoom: 1, maxZoom: 1.1 });
    expect(brightnessConfig!.options).toMatchObject({ maxLighting: 0.2 });
  });

  it('takes aug_transforms arguments, mult included', () => {
    const config = standard({
      doFlip: false,
      maxRotate: 20,
      mult: 0.5,
      maxWarp: 0,
      minZoom: 1,
      maxZoom: 1,
    }).toConfig();
    expect(names(config)).toEqual(['rotate', 'brightness', 'contrast']);
    expect(config.children![0]!.options.limit).toEqual([-10, 10]);
    expect(config.children![1]!.options.maxLighting).toBeCloseTo(0.1, 12);
    expect(() => standard({ pAffine: 2 })).toThrow(
      'Error in standard: pAffine must be a probability in [0, 1], got 2',
    );
    expect(() => standard({ doFlip: false, maxRotate: 0, maxWarp: 0, maxZoom: 1, maxLighting: 0 })).toThrow(
      InvalidArgumentError,
    );
  });
});

describe('heavy', () => {
  it("holds the whale-fluke pipeline's transforms", () => {
    const all = names(heavy().toConfig());
    for (const name of [
      'gaussianNoise',
      'gaussianBlur',
      'motionBlur',
      'rain',
      'rgbShift',
      'brightnessContrast',
      'hueSaturationValue',
      'sharpen',
      'perspective',
      'elastic',
      'rotate',
      'affine',
      'coarseDropout',
    ]) {
      expect(all).toContain(name);
    }
    const rotateConfig = heavy().toConfig().children![4]!.children![0]!;
    expect(rotateConfig.options.limit).toEqual([-20, 20]);
  });
});

describe.each([
  ['light', light],
  ['standard', standard],
  ['heavy', heavy],
] as const)('%s preset', (_, preset) => {
  it('augments a batch within range, deterministically, without leaks', () => {
    const images = testImages(8);
    const t = preset();
    const a = expectNoLeaksSync(() => t.apply(images, new Rng(1)));
    const b = t.apply(images, new Rng(1));
    expect(a.images.shape).toEqual([8, 16, 16, 3]);
    expect(Array.from(a.images.dataSync())).toEqual(Array.from(b.images.dataSync()));
    expect(Math.min(...a.images.dataSync())).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a.images.dataSync())).toBeLessThanOrEqual(1);
    tf.dispose([images, a.images, b.images]);
  });
});

it('presets leave validation images alone', async () => {
  const images = testImages(2);
  const out = await expectNoLeaks(() => heavy().apply(images, new Rng(0), { training: false }).images);
  expect(Array.from(out.dataSync())).toEqual(Array.from(images.dataSync()));
  tf.dispose([images, out]);
});
