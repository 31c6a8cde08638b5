import { Rng } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { type ImageSet, subsample } from './data.js';

describe('subsample', () => {
  // Image i is filled with the byte i and labelled i % 10.
  const set: ImageSet = {
    images: new Uint8Array(6 * 784).map((_, k) => Math.floor(k / 784)),
    labels: Uint8Array.from([0, 1, 2, 3, 4, 5]),
    count: 6,
  };

  it('keeps `limit` distinct images with their labels, in their original order', () => {
    const picked = subsample(set, 3, new Rng(4));
    expect(picked.count).toBe(3);
    const firstBytes = [0, 1, 2].map((i) => picked.images[i * 784]!);
    expect(Array.from(picked.labels)).toEqual(firstBytes);
    expect([...firstBytes].sort((a, b) => a - b)).toEqual(firstBytes);
    expect(new Set(firstBytes).size).toBe(3);
    // Each image is copied whole.
    for (const [i, b] of firstBytes.entries()) {
      expect(picked.images.subarray(i * 784, (i + 1) * 784).every((v) => v === b)).toBe(true);
    }
    expect(subsample(set, 3, new Rng(4)).labels).toEqual(picked.labels);
  });

  it('returns the set itself when there is no limit or it is not smaller', () => {
    expect(subsample(set, undefined, new Rng(0))).toBe(set);
    expect(subsample(set, 6, new Rng(0))).toBe(set);
  });

  it('rejects a limit that is not a positive integer', () => {
    expect(() => subsample(set, 0, new Rng(0))).toThrow(
      'Error in subsample: limit must be a positive integer, got 0',
    );
    expect(() => subsample(set, 2.5, new Rng(0))).toThrow(/limit must be a positive integer, got 2.5/);
  });
});
