import { InvalidArgumentError } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { normalizePixels } from './normalize-pixels.js';
import { pixels } from './test-fixtures.js';

describe('normalizePixels', () => {
  const image = pixels(2, 1, 3, (x) => (x === 0 ? [0, 128, 255] : [51, 102, 204]));

  it('scales to [0, 1] without options', () => {
    const out = normalizePixels(image);
    const expected = [0, 128, 255, 51, 102, 204].map((v) => v / 255);
    out.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 6);
    });
  });

  it('applies (pixel / 255 - mean[c]) / std[c] per channel (timm / ImageNet convention)', () => {
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const out = normalizePixels(image, { mean, std });
    [0, 128, 255, 51, 102, 204].forEach((v, i) => {
      const c = i % 3;
      expect(out[i]).toBeCloseTo((v / 255 - mean[c]!) / std[c]!, 5);
    });
    // A single mean/std applies to every channel: (255 / 255 - 0.5) / 0.5 = 1, (0 - 0.5) / 0.5 = -1.
    const pm1 = normalizePixels(image, { mean: [0.5], std: [0.5] });
    expect(pm1[0]).toBeCloseTo(-1, 6);
    expect(pm1[2]).toBeCloseTo(1, 6);
  });

  it('works for grey images and rejects mismatched mean/std', () => {
    const grey = pixels(1, 1, 1, () => [255]);
    expect(normalizePixels(grey, { mean: [0.5], std: [0.25] })[0]).toBeCloseTo(2, 6);
    expect(() => normalizePixels(grey, { mean: [0.1, 0.2, 0.3], std: [1] })).toThrow(InvalidArgumentError);
    expect(() => normalizePixels(image, { mean: [0], std: [0] })).toThrow(/std must be/);
    expect(() => normalizePixels({ data: new Uint8Array(2), width: 1, height: 1, channels: 3 })).toThrow(
      InvalidArgumentError,
    );
  });
});
