import { ClassVocabulary, InvalidArgumentError, Rng } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { createDataset } from './dataset.js';
import { stratifiedSplit } from './stratified-split.js';

function singleLabel(counts: number[]) {
  const names = counts.map((_, c) => `class${c}`);
  const items = counts.flatMap((count, c) =>
    Array.from({ length: count }, (_, k) => ({ id: `${c}-${k}`, source: 'x.png', label: c })),
  );
  return createDataset(items, { vocabulary: new ClassVocabulary(names) });
}

function perClass(items: readonly { label?: number }[], classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const item of items) counts[item.label!]!++;
  return counts;
}

describe('stratifiedSplit', () => {
  it('gives each class floor or ceil of its quota, totalling round(n × f) by largest remainder', () => {
    // Counts 10, 5, 3 at f = 0.2: T = round(18 × 0.2) = 4, quotas count × 4 / 18 = 2.22, 1.11, 0.67 →
    // floors 2, 1, 0 (3), and the one leftover goes to the largest fractional part (class 2).
    const dataset = singleLabel([10, 5, 3]);
    const { train, valid } = stratifiedSplit(dataset, { validFraction: 0.2, rng: new Rng(0) });
    expect(perClass(valid.items, 3)).toEqual([2, 1, 1]);
    expect(perClass(train.items, 3)).toEqual([8, 4, 2]);
    // Counts 10, 7, 4, 2 at f = 1/3: T = round(23 / 3) = 8, quotas × 8 / 23 = 3.48, 2.43, 1.39, 0.70 →
    // floors 3, 2, 1, 0 (6); the two leftovers go to class 3 (0.70) and class 0 (0.48).
    const four = singleLabel([10, 7, 4, 2]);
    expect(perClass(stratifiedSplit(four, { validFraction: 1 / 3, rng: new Rng(5) }).valid.items, 4)).toEqual(
      [4, 2, 1, 1],
    );
  });

  it('keeps proportions on a large imbalanced set for any seed', () => {
    const dataset = singleLabel([500, 300, 150, 50]);
    for (const seed of [1, 2, 3]) {
      const { valid } = stratifiedSplit(dataset, { validFraction: 0.1, rng: new Rng(seed) });
      expect(perClass(valid.items, 4)).toEqual([50, 30, 15, 5]);
    }
    const a = stratifiedSplit(dataset, { rng: new Rng(1) }).valid.items.map((item) => item.id);
    const b = stratifiedSplit(dataset, { rng: new Rng(2) }).valid.items.map((item) => item.id);
    expect(a).not.toEqual(b);
  });

  it('balances every label of a multi-label set (iterative stratification)', () => {
    // 60 items: label 0 on every item, label 1 on every 2nd, label 2 on every 3rd, label 3 on every 10th.
    const items = Array.from({ length: 60 }, (_, i) => ({
      id: `m${i}`,
      source: 'x.png',
      labels: [0, ...(i % 2 === 0 ? [1] : []), ...(i % 3 === 0 ? [2] : []), ...(i % 10 === 0 ? [3] : [])],
    }));
    const dataset = createDataset(items, {
      vocabulary: new ClassVocabulary(['a', 'b', 'c', 'd']),
      multiLabel: true,
    });
    const { train, valid } = stratifiedSplit(dataset, { validFraction: 0.25, rng: new Rng(3) });
    expect(train.items.length + valid.items.length).toBe(60);
    const labelCounts = (list: readonly { labels?: readonly number[] }[]) => {
      const counts = [0, 0, 0, 0];
      for (const item of list) for (const l of item.labels!) counts[l]!++;
      return counts;
    };
    // Wanted in validation: 15, 7.5, 5, 1.5 of 60, 30, 20, 6.
    const got = labelCounts(valid.items);
    expect(got[0]).toBe(15);
    expect(Math.abs(got[1]! - 7.5)).toBeLessThanOrEqual(0.5);
    expect(got[2]).toBe(5);
    expect(Math.abs(got[3]! - 1.5)).toBeLessThanOrEqual(0.5);
  });

  it('needs a labelled dataset and a valid fraction', () => {
    const unlabelled = createDataset([{ id: 'a', source: 'a.png' }]);
    expect(() => stratifiedSplit(unlabelled, { rng: new Rng(0) })).toThrow(InvalidArgumentError);
    expect(() => stratifiedSplit(singleLabel([2]), { validFraction: 2, rng: new Rng(0) })).toThrow(
      InvalidArgumentError,
    );
  });
});
