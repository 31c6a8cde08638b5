import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { brightness } from './brightness.js';
import { brightnessContrast } from './brightness-contrast.js';
import { channelShuffle } from './channel-shuffle.js';
import { contrast } from './contrast.js';
import { gamma } from './gamma.js';
import { gaussianNoise } from './gaussian-noise.js';
import { grayscale } from './grayscale.js';
import { hueSaturationValue } from './hue-saturation-value.js';
import { posterize } from './posterize.js';
import { rgbShift } from './rgb-shift.js';
import { sharpen } from './sharpen.js';
import { solarize } from './solarize.js';
import { fromPixels, fromRows, maxAbsDiff, rows, testImages } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Tests of the colour, tone and noise transforms against their formulas; shapes, ranges, determinism,
// replay and configs are covered for every transform by conformance.test.ts.

const values = [0, 0.1, 0.2, 0.5, 0.8, 1];
const line = () => fromRows([values]);
const pixels = (t: tf.Tensor) => Array.from(t.dataSync());

function expectClose(actual: readonly number[], expected: readonly number[], digits = 5): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => {
    expect(v).toBeCloseTo(expected[i]!, digits);
  });
}

describe('brightnessContrast', () => {
  it('computes clip(alpha·x + beta·maxValue), as albumentations with brightness_by_max', () => {
    const t = brightnessContrast();
    const out = t.replay(line(), { transform: 'brightnessContrast', images: [{ alpha: 1.5, beta: 0.1 }] });
    expectClose(
      pixels(out),
      values.map((x) => Math.min(1, 1.5 * x + 0.1)),
    );
    const wide = t.replay(
      tf.mul(line(), 255) as tf.Tensor4D,
      { transform: 'brightnessContrast', images: [{ alpha: 0.5, beta: -0.2 }] },
      { maxValue: 255 },
    );
    expectClose(
      pixels(wide),
      values.map((x) => Math.max(0, 0.5 * 255 * x - 51)),
      3,
    );
  });

  it('draws alpha = 1 + c and beta within the limits', () => {
    const params = brightnessContrast({ brightness: [0.1, 0.2], contrast: 0.3, p: 1 }).sample(
      new Rng(0),
      [200, 2, 2, 3],
    );
    for (const e of params.images) {
      expect(e!.beta).toBeGreaterThanOrEqual(0.1);
      expect(e!.beta).toBeLessThan(0.2);
      expect(e!.alpha).toBeGreaterThanOrEqual(0.7);
      expect(e!.alpha).toBeLessThan(1.3);
    }
  });
});

describe("fastai's logit-space lighting", () => {
  it('brightness: sigmoid(logit(x) + logit(c)) = xc / (xc + (1 − x)(1 − c))', () => {
    const c = 0.7;
    const out = brightness().replay(line(), { transform: 'brightness', images: [{ change: c }] });
    // fastai clamps x to [1e-7, 1 − 1e-7] before the logit, so 0 and 1 move by about 1e-7.
    expectClose(
      pixels(out),
      values.map((x) => (x * c) / (x * c + (1 - x) * (1 - c))),
    );
  });

  it('contrast: sigmoid(s·logit(x)) = xˢ / (xˢ + (1 − x)ˢ)', () => {
    const s = 2;
    const out = contrast().replay(line(), { transform: 'contrast', images: [{ scale: s }] });
    expectClose(
      pixels(out),
      values.map((x) => x ** s / (x ** s + (1 - x) ** s)),
    );
  });

  it('leaves the image unchanged at change 0.5 and scale 1, and draws as fastai', () => {
    const images = testImages(1);
    expect(
      maxAbsDiff(brightness().replay(images, { transform: 'brightness', images: [{ change: 0.5 }] }), images),
    ).toBeLessThan(1e-5);
    expect(
      maxAbsDiff(contrast().replay(images, { transform: 'contrast', images: [{ scale: 1 }] }), images),
    ).toBeLessThan(1e-5);
    // max_lighting 0.2: change in 0.5·(1 ± 0.2) = [0.4, 0.6], scale in [0.8, 1/0.8].
    for (const e of brightness({ p: 1 }).sample(new Rng(1), [200, 2, 2, 3]).images) {
      expect(e!.change).toBeGreaterThanOrEqual(0.4);
      expect(e!.change).toBeLessThan(0.6);
    }
    for (const e of contrast({ p: 1 }).sample(new Rng(1), [200, 2, 2, 3]).images) {
      expect(e!.scale).toBeGreaterThanOrEqual(0.8 - 1e-12);
      expect(e!.scale).toBeLessThan(1.25);
    }
  });
});

describe('hueSaturationValue', () => {
  const t = hueSaturationValue();
  const shift = (hue: number, saturation: number, value: number) => ({
    transform: 'hueSaturationValue' as const,
    images: [{ hue, saturation, value }],
  });
  const colours: [number, number, number][] = [
    [1, 0, 0],
    [0, 1, 0],
    [0.2, 0.4, 0.6],
  ];

  it('turns red to green with +120° and green to blue, cyclically', () => {
    // Hexcone HSV: red has hue 0°, green 120°, blue 240°.
    expectClose(pixels(t.replay(fromPixels(colours.slice(0, 2)), shift(120, 0, 0))), [0, 1, 0, 0, 0, 1]);
    // Blue (240°) + 150° = 30°, orange: R = 1, G = 0.5, B = 0.
    expectClose(pixels(t.replay(fromPixels([[0, 0, 1]]), shift(150, 0, 0))), [1, 0.5, 0]);
  });

  it('removes colour at saturation −1 and darkens by the value shift', () => {
    // (0.2, 0.4, 0.6): V = 0.6; without saturation every channel equals V.
    expectClose(pixels(t.replay(fromPixels([colours[2]!]), shift(0, -1, 0))), [0.6, 0.6, 0.6]);
    // Value −0.3 scales (0.2, 0.4, 0.6) by 0.3/0.6 at the same hue and saturation.
    expectClose(pixels(t.replay(fromPixels([colours[2]!]), shift(0, 0, -0.3))), [0.1, 0.2, 0.3]);
  });

  it('round-trips RGB → HSV → RGB without shifts', () => {
    const images = testImages(2);
    expect(
      maxAbsDiff(
        t.replay(images, {
          transform: 'hueSaturationValue',
          images: [
            { hue: 0, saturation: 0, value: 0 },
            { hue: 360, saturation: 0, value: 0 },
          ],
        }),
        images,
      ),
    ).toBeLessThan(1e-5);
  });
});

describe('rgbShift', () => {
  it('adds a constant per channel and clips', () => {
    const out = rgbShift().replay(
      fromPixels([
        [0.5, 0.5, 0.5],
        [0.95, 0.1, 0],
      ]),
      {
        transform: 'rgbShift',
        images: [{ shift: [0.1, -0.2, 0.05] }],
      },
    );
    expectClose(pixels(out), [0.6, 0.3, 0.55, 1, 0, 0.05]);
  });
});

describe('gamma', () => {
  it('computes maxValue·(x / maxValue)^gamma', () => {
    const out = gamma().replay(fromRows([[0.25, 0.81, 1, 0]]), {
      transform: 'gamma',
      images: [{ gamma: 2 }],
    });
    expectClose(pixels(out), [0.0625, 0.6561, 1, 0]);
    const wide = gamma().replay(
      fromRows([[64, 255]]),
      { transform: 'gamma', images: [{ gamma: 0.5 }] },
      { maxValue: 256 },
    );
    expectClose(pixels(wide), [128, 256 * Math.sqrt(255 / 256)], 3);
  });
});

describe('grayscale', () => {
  it('writes the BT.601 luma 0.299·R + 0.587·G + 0.114·B into every channel', () => {
    const out = grayscale({ p: 1 }).apply(
      fromPixels([
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
        [0.2, 0.4, 0.6],
      ]),
      new Rng(0),
    ).images;
    const luma = 0.299 * 0.2 + 0.587 * 0.4 + 0.114 * 0.6;
    expectClose(pixels(out), [
      0.299,
      0.299,
      0.299,
      0.587,
      0.587,
      0.587,
      0.114,
      0.114,
      0.114,
      luma,
      luma,
      luma,
    ]);
  });
});

describe('channelShuffle', () => {
  it('reorders channels exactly, each image by its own permutation', () => {
    const images = tf.concat([fromPixels([[0.1, 0.2, 0.3]]), fromPixels([[0.4, 0.5, 0.6]])]) as tf.Tensor4D;
    const out = channelShuffle().replay(images, {
      transform: 'channelShuffle',
      images: [{ order: [2, 0, 1] }, { order: [1, 0, 2] }],
    });
    expect(pixels(out)).toEqual(pixels(tf.tensor1d([0.3, 0.1, 0.2, 0.5, 0.4, 0.6])));
  });

  it('draws permutations of all the channels', () => {
    const params = channelShuffle({ p: 1 }).sample(new Rng(0), [50, 2, 2, 4]);
    for (const e of params.images) expect([...e!.order].sort()).toEqual([0, 1, 2, 3]);
  });
});

describe('sharpen', () => {
  it('correlates with (1 − α)·I + α·[[−1, −1, −1], [−1, 8 + L, −1], [−1, −1, −1]], reflect-101 borders, clipped', () => {
    const grid = [
      [0.1, 0.5, 0.3, 0.2],
      [0.6, 0.2, 0.9, 0.4],
      [0.3, 0.7, 0.1, 0.8],
      [0.5, 0.4, 0.6, 0.2],
    ];
    const alpha = 0.3;
    const lightness = 0.7;
    const reflect = (i: number) => (i < 0 ? -i : i > 3 ? 6 - i : i);
    const expected = grid.map((r, y) =>
      r.map((v, x) => {
        let neighbours = 0;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++)
            if (dx || dy) neighbours += grid[reflect(y + dy)]![reflect(x + dx)]!;
        const sharp = (8 + lightness) * v - neighbours;
        return Math.min(1, Math.max(0, (1 - alpha) * v + alpha * sharp));
      }),
    );
    const out = rows(
      sharpen().replay(fromRows(grid), { transform: 'sharpen', images: [{ alpha, lightness }] }),
    );
    out.forEach((r, y) => {
      expectClose(r, expected[y]!);
    });
  });
});

describe('posterize', () => {
  it('keeps the top bits of the 8-bit value, as PIL masks with ~(2^(8 − bits) − 1)', () => {
    const levels = [0, 15, 16, 100, 200, 255];
    const out = posterize().replay(fromRows([levels.map((v) => v / 255)]), {
      transform: 'posterize',
      images: [{ bits: 4 }],
    });
    // 200 & 0xF0 = 192, 255 & 0xF0 = 240, 100 & 0xF0 = 96.
    expectClose(
      pixels(out),
      [0, 0, 16, 96, 192, 240].map((v) => v / 255),
      6,
    );
    const one = posterize().replay(fromRows([levels.map((v) => v / 255)]), {
      transform: 'posterize',
      images: [{ bits: 1 }],
    });
    expectClose(
      pixels(one),
      [0, 0, 0, 0, 128, 128].map((v) => v / 255),
      6,
    );
  });
});

describe('solarize', () => {
  it('inverts values at or above the threshold', () => {
    const out = solarize().replay(fromRows([[0.2, 0.49, 0.5, 0.8, 1]]), {
      transform: 'solarize',
      images: [{ threshold: 0.5 }],
    });
    expectClose(pixels(out), [0.2, 0.49, 0.5, 0.2, 0]);
  });
});

describe('gaussianNoise', () => {
  it('adds noise with the drawn mean and standard deviation, clipped', () => {
    const grey = tf.fill([1, 32, 32, 3], 0.5) as tf.Tensor4D;
    const out = gaussianNoise().replay(grey, {
      transform: 'gaussianNoise',
      images: [{ std: 0.05, mean: 0.02, seed: 3 }],
    });
    const noise = pixels(out).map((v) => v - 0.5);
    const mean = noise.reduce((a, b) => a + b, 0) / noise.length;
    const std = Math.sqrt(noise.reduce((a, b) => a + (b - mean) ** 2, 0) / noise.length);
    // 3072 draws: standard error of the mean 0.0009, of the std about 1.3 %.
    expect(mean).toBeCloseTo(0.02, 2);
    expect(Math.abs(std / 0.05 - 1)).toBeLessThan(0.06);
  });

  it("draws std from albumentations' var_limit (10, 50) on the 0–255 scale", () => {
    for (const e of gaussianNoise({ p: 1 }).sample(new Rng(0), [100, 2, 2, 3]).images) {
      expect(e!.std).toBeGreaterThanOrEqual(Math.sqrt(10) / 255);
      expect(e!.std).toBeLessThan(Math.sqrt(50) / 255);
    }
  });

  it('gives each seed its own noise', () => {
    const grey = tf.fill([2, 4, 4, 1], 0.5) as tf.Tensor4D;
    const out = gaussianNoise().replay(grey, {
      transform: 'gaussianNoise',
      images: [
        { std: 0.1, mean: 0, seed: 1 },
        { std: 0.1, mean: 0, seed: 2 },
      ],
    });
    const [a, b] = tf.split(out, 2);
    expect(maxAbsDiff(a!, b!)).toBeGreaterThan(0.01);
  });
});
