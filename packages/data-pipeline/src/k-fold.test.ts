import { ClassVocabulary, InvalidArgumentError, Rng } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { createDataset } from './dataset.js';
import { kFold } from './k-fold.js';

const vocabulary = new ClassVocabulary(['a', 'b', 'c']);
// 23 items: 11 of class a, 8 of b, 4 of c; groups of 3 (the last one of 2).
const dataset = createDataset(
  Array.from({ length: 23 }, (_, i) => ({
    id: `i${i}`,
    source: 'x.png',
    label: i < 11 ? 0 : i < 19 ? 1 : 2,
    group: `g${Math.floor(i / 3)}`,
  })),
  { vocabulary },
);

function expectPartition(folds: ReturnType<typeof kFold>): void {
  const seen = folds.flatMap((fold) => fold.valid.items.map((item) => item.id)).sort();
  expect(seen).toEqual(dataset.items.map((item) => item.id).sort());
  for (const fold of folds) {
    expect(fold.train.items.length + fold.valid.items.length).toBe(dataset.items.length);
    const valid = new Set(fold.valid.items.map((item) => item.id));
    for (const item of fold.train.items) expect(valid.has(item.id)).toBe(false);
  }
}

describe('kFold', () => {
  it('item folds partition the data, the first n mod k one larger (scikit-learn KFold)', () => {
    const folds = kFold(dataset, { k: 5, rng: new Rng(1) });
    expectPartition(folds);
    expect(folds.map((fold) => fold.valid.items.length)).toEqual([5, 5, 5, 4, 4]);
    expect(folds.map((fold) => fold.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it('class folds give each class floor or ceil of count / k per fold', () => {
    const folds = kFold(dataset, { k: 4, by: 'class', rng: new Rng(2) });
    expectPartition(folds);
    // Dealing round-robin over the class-sorted order: class a (11) → 3, 3, 3, 2; class b continues at
    // fold 3 (8) → 2 each; class c continues at fold 3 (4) → 1 each.
    const counts = folds.map((fold) =>
      [0, 1, 2].map((c) => fold.valid.items.filter((item) => item.label === c).length),
    );
    expect(counts).toEqual([
      [3, 2, 1],
      [3, 2, 1],
      [3, 2, 1],
      [2, 2, 1],
    ]);
  });

  it('group folds never share a group and balance sizes greedily (scikit-learn GroupKFold)', () => {
    const folds = kFold(dataset, { k: 3, by: 'group', rng: new Rng(3) });
    expectPartition(folds);
    const groupSets = folds.map((fold) => new Set(fold.valid.items.map((item) => item.group)));
    for (let a = 0; a < 3; a++)
      for (let b = a + 1; b < 3; b++) for (const g of groupSets[a]!) expect(groupSets[b]!.has(g)).toBe(false);
    // Seven groups of 3 and one of 2, largest first to the lightest fold (ties: the lowest fold): the
    // 3-groups go 0, 1, 2, 0, 1, 2, 0, then the 2-group to fold 1 → sizes 9, 8, 6.
    expect(folds.map((fold) => fold.valid.items.length)).toEqual([9, 8, 6]);
  });

  it('stratifies multi-label data iteratively', () => {
    const multi = createDataset(
      Array.from({ length: 30 }, (_, i) => ({
        id: `m${i}`,
        source: 'x.png',
        labels: i % 3 === 0 ? [0, 1] : [0],
      })),
      { vocabulary: new ClassVocabulary(['x', 'y']), multiLabel: true },
    );
    const folds = kFold(multi, { k: 5, by: 'class', rng: new Rng(4) });
    for (const fold of folds) {
      expect(fold.valid.items.length).toBe(6);
      expect(fold.valid.items.filter((item) => item.labels!.includes(1)).length).toBe(2);
    }
  });

  it('rejects bad k and strategies', () => {
    expect(() => kFold(dataset, { k: 1, rng: new Rng(0) })).toThrow(InvalidArgumentError);
    expect(() => kFold(dataset, { k: 24, rng: new Rng(0) })).toThrow(InvalidArgumentError);
    expect(() => kFold(dataset, { k: 9, by: 'group', rng: new Rng(0) })).toThrow(/number of groups \(8\)/);
    expect(() => kFold(dataset, { by: 'label' as 'class', rng: new Rng(0) })).toThrow(InvalidArgumentError);
  });
});
