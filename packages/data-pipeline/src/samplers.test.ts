import { ClassVocabulary, InvalidArgumentError, Rng } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { classBalancedSampler } from './class-balanced-sampler.js';
import { createDataset } from './dataset.js';
import { mPerClassSampler } from './m-per-class-sampler.js';
import type { Sampler } from './sampler.js';
import { sequentialSampler } from './sequential-sampler.js';
import { shuffledSampler } from './shuffled-sampler.js';

const vocabulary = new ClassVocabulary(['a', 'b', 'c', 'd']);
// Class counts 60, 25, 10, 5.
const counts = [60, 25, 10, 5];
const dataset = createDataset(
  counts.flatMap((count, c) =>
    Array.from({ length: count }, (_, k) => ({ id: `${c}-${k}`, source: 'x.png', label: c })),
  ),
  { vocabulary },
);

/** Every sampler kind, built fresh from a seed: the conformance suite runs over all of them. */
const SAMPLERS: Record<string, (seed: number) => Sampler> = {
  sequential: () => sequentialSampler(100),
  shuffled: (seed) => shuffledSampler(100, { rng: new Rng(seed) }),
  'class-balanced': (seed) => classBalancedSampler(dataset, { rng: new Rng(seed) }),
  'm-per-class': (seed) => mPerClassSampler(dataset, { m: 4, batchSize: 16, rng: new Rng(seed) }),
};

describe('every sampler', () => {
  for (const [kind, make] of Object.entries(SAMPLERS)) {
    it(`${kind}: indices in range, the same per (seed, epoch), resumable from its state`, () => {
      const sampler = make(1);
      expect(sampler.kind).toBe(kind);
      expect(sampler.size).toBe(100);
      const epoch3 = sampler.indices(3);
      expect(epoch3.length).toBe(sampler.length);
      for (const i of epoch3) expect(i >= 0 && i < 100).toBe(true);
      // Random access: asking for epoch 3 again, or after other epochs, gives the same order.
      sampler.indices(0);
      expect(sampler.indices(3)).toEqual(epoch3);
      expect(make(1).indices(3)).toEqual(epoch3);
      // A sampler built from another seed, restored from the state, replays the same epochs.
      const state = JSON.parse(JSON.stringify(sampler.getState()));
      const restored = make(2);
      restored.setState(state);
      expect(restored.indices(3)).toEqual(epoch3);
      expect(() => restored.setState({ kind: 'other', rng: null })).toThrow(InvalidArgumentError);
      expect(() => sampler.indices(-1)).toThrow(InvalidArgumentError);
      if (kind !== 'sequential') {
        expect(sampler.indices(4)).not.toEqual(epoch3);
        expect(make(2).indices(3)).not.toEqual(epoch3);
      }
    });
  }
});

describe('sequentialSampler and shuffledSampler', () => {
  it('sequential is the listed order; shuffled is a permutation, new each epoch', () => {
    expect(Array.from(sequentialSampler(4).indices(7))).toEqual([0, 1, 2, 3]);
    const sampler = shuffledSampler(50, { rng: new Rng(3) });
    for (const epoch of [0, 1])
      expect(Array.from(sampler.indices(epoch)).sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
    expect(() => shuffledSampler(5, {} as never)).toThrow(InvalidArgumentError);
    expect(() => sequentialSampler(-1)).toThrow(InvalidArgumentError);
  });
});

describe('classBalancedSampler', () => {
  it('weighs each item by the inverse of its class count', () => {
    const sampler = classBalancedSampler(dataset, { rng: new Rng(0) });
    expect(sampler.weights[0]).toBe(1 / 60);
    expect(sampler.weights[60]).toBe(1 / 25);
    expect(sampler.weights[85]).toBe(1 / 10);
    expect(sampler.weights[99]).toBe(1 / 5);
  });

  it('draws every class about equally often', () => {
    const sampler = classBalancedSampler(dataset, { rng: new Rng(1), numSamples: 40_000 });
    const drawn = [0, 0, 0, 0];
    for (const i of sampler.indices(0)) drawn[dataset.items[i]!.label!]!++;
    // Each class has probability 1/4: 10 000 expected, binomial sd ≈ 87; allow 5 sd.
    for (const count of drawn) expect(Math.abs(count - 10_000)).toBeLessThan(435);
  });

  it('without replacement draws distinct items, rare ones first in expectation', () => {
    const sampler = classBalancedSampler(dataset, { rng: new Rng(2), numSamples: 20, replacement: false });
    const picked = sampler.indices(0);
    expect(new Set(picked).size).toBe(20);
    const rare = Array.from(picked).filter((i) => dataset.items[i]!.label! >= 2).length;
    expect(rare).toBeGreaterThan(5); // 15 % of items but half of the weight
  });

  it('weighs multi-label items by their rarest label; unlabelled ones as a class', () => {
    const multi = createDataset(
      [
        { id: 'a', source: 'x', labels: [0] },
        { id: 'b', source: 'x', labels: [0, 1] },
        { id: 'c', source: 'x', labels: [0] },
        { id: 'd', source: 'x', labels: [] },
      ],
      { vocabulary: new ClassVocabulary(['x', 'y']), multiLabel: true },
    );
    expect(Array.from(classBalancedSampler(multi, { rng: new Rng(0) }).weights)).toEqual([
      1 / 3,
      1,
      1 / 3,
      1,
    ]);
    expect(() => classBalancedSampler(multi, { rng: new Rng(0), numSamples: 5, replacement: false })).toThrow(
      InvalidArgumentError,
    );
    expect(() =>
      classBalancedSampler(createDataset([{ id: 'u', source: 'x' }]), { rng: new Rng(0) }),
    ).toThrow(InvalidArgumentError);
  });
});

describe('mPerClassSampler', () => {
  it('fills each batch with batchSize / m classes of m images each', () => {
    const sampler = mPerClassSampler(dataset, { m: 4, batchSize: 12, rng: new Rng(5), length: 120 });
    expect(sampler.batchSize).toBe(12);
    const order = sampler.indices(0);
    expect(order.length).toBe(120);
    for (let b = 0; b < 10; b++) {
      const labels = Array.from(order.subarray(b * 12, b * 12 + 12), (i) => dataset.items[i]!.label!);
      const perClass = new Map<number, number>();
      for (const l of labels) perClass.set(l, (perClass.get(l) ?? 0) + 1);
      expect(perClass.size).toBe(3);
      for (const n of perClass.values()) expect(n).toBe(4);
    }
  });

  it('takes m distinct images from big classes and repeats images of small ones', () => {
    const small = createDataset(
      [
        { id: 'a0', source: 'x', label: 0 },
        ...Array.from({ length: 10 }, (_, k) => ({ id: `b${k}`, source: 'x', label: 1 })),
      ],
      { vocabulary: new ClassVocabulary(['a', 'b']) },
    );
    const order = mPerClassSampler(small, { m: 3, batchSize: 6, rng: new Rng(0), length: 6 }).indices(0);
    const a = Array.from(order).filter((i) => i === 0);
    const b = Array.from(order).filter((i) => i > 0);
    expect(a).toEqual([0, 0, 0]);
    expect(new Set(b).size).toBe(3);
  });

  it('defaults to the dataset size rounded down to whole batches, and rejects bad options', () => {
    expect(mPerClassSampler(dataset, { m: 2, batchSize: 8, rng: new Rng(0) }).length).toBe(96);
    expect(() => mPerClassSampler(dataset, { m: 3, batchSize: 8, rng: new Rng(0) })).toThrow(
      InvalidArgumentError,
    );
    expect(() => mPerClassSampler(dataset, { m: 2, batchSize: 10, rng: new Rng(0) })).toThrow(
      /at most m × classes/,
    );
    expect(() => mPerClassSampler(dataset, { m: 2, batchSize: 8, rng: new Rng(0), length: 10 })).toThrow(
      InvalidArgumentError,
    );
  });
});
