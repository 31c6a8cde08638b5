import { describe, expect, it } from 'vitest';
import { convertChannels, isIdentityPlan, padPixels } from './pixels.js';
import { identityPlan, planResize } from './resize-plan.js';
import { pixels } from './test-fixtures.js';

describe('padPixels', () => {
  const row = pixels(3, 1, 1, (x) => [x + 1]); // 1 2 3

  it('mirrors with the edge repeated, periodically for wide borders', () => {
    // numpy.pad([1, 2, 3], 2, 'symmetric') = [2, 1, 1, 2, 3, 3, 2]; width 5: [2, 3, 3, 2, 1, 1, 2, 3, 3, 2, 1, 1, 2]
    const two = padPixels(row, { top: 0, right: 2, bottom: 0, left: 2 }, 'mirror', [0, 0, 0]);
    expect(Array.from(two.data)).toEqual([2, 1, 1, 2, 3, 3, 2]);
    const five = padPixels(row, { top: 0, right: 5, bottom: 0, left: 5 }, 'mirror', [0, 0, 0]);
    expect(Array.from(five.data)).toEqual([2, 3, 3, 2, 1, 1, 2, 3, 3, 2, 1, 1, 2]);
  });

  it('repeats the edge, or fills a constant (grey images get the fill colour’s luma)', () => {
    expect(
      Array.from(padPixels(row, { top: 0, right: 2, bottom: 0, left: 1 }, 'edge', [0, 0, 0]).data),
    ).toEqual([1, 1, 2, 3, 3, 3]);
    const filled = padPixels(row, { top: 1, right: 0, bottom: 0, left: 0 }, 'constant', [255, 255, 255]);
    expect([filled.width, filled.height]).toEqual([3, 2]);
    expect(Array.from(filled.data)).toEqual([255, 255, 255, 1, 2, 3]);
    const rgb = padPixels(
      pixels(1, 1, 3, () => [9, 9, 9]),
      { top: 0, right: 1, bottom: 0, left: 0 },
      'constant',
      [1, 2, 3],
    );
    expect(Array.from(rgb.data)).toEqual([9, 9, 9, 1, 2, 3]);
    expect(padPixels(row, { top: 0, right: 0, bottom: 0, left: 0 }, 'mirror', [0, 0, 0])).toBe(row);
  });
});

describe('convertChannels', () => {
  it('replicates grey, computes Rec. 601 luma, composites alpha, adds opaque alpha', () => {
    expect(Array.from(convertChannels(new Uint8Array([7]), 1, 1, 3, [0, 0, 0]))).toEqual([7, 7, 7]);
    // 0.299 × 200 + 0.587 × 100 + 0.114 × 50 = 124.2 → 124
    expect(Array.from(convertChannels(new Uint8Array([200, 100, 50]), 1, 3, 1, [0, 0, 0]))).toEqual([124]);
    // Half-transparent red over white: 255 × 0.502 + 255 × 0.498 = 255; 0 × 0.502 + 255 × 0.498 = 127.
    expect(Array.from(convertChannels(new Uint8Array([255, 0, 0, 128]), 1, 4, 3, [255, 255, 255]))).toEqual([
      255, 127, 127,
    ]);
    expect(Array.from(convertChannels(new Uint8Array([1, 2, 3]), 1, 3, 4, [0, 0, 0]))).toEqual([
      1, 2, 3, 255,
    ]);
    const same = new Uint8Array([1, 2, 3]);
    expect(convertChannels(same, 1, 3, 3, [0, 0, 0])).toBe(same);
  });
});

describe('isIdentityPlan', () => {
  it('is true only for a plan that changes nothing', () => {
    expect(isIdentityPlan(identityPlan(5, 4), 5, 4)).toBe(true);
    expect(isIdentityPlan(planResize({ size: [4, 5] }, 5, 4), 5, 4)).toBe(true);
    expect(isIdentityPlan(planResize({ size: [4, 4] }, 5, 4), 5, 4)).toBe(false);
    expect(isIdentityPlan(planResize({ size: [4, 5], mode: 'pad' }, 5, 3), 5, 3)).toBe(false);
  });
});
