import { ClassVocabulary, InvalidArgumentError, Rng } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { createDataset } from './dataset.js';
import { dropRareClasses } from './drop-rare-classes.js';
import { dropRareLabels } from './drop-rare-labels.js';
import { subsetOfClasses } from './subset-of-classes.js';

// 20 classes "c00".."c19"; class c has c + 1 images.
const names = Array.from({ length: 20 }, (_, c) => `c${String(c).padStart(2, '0')}`);
const single = createDataset(
  names.flatMap((_, c) =>
    Array.from({ length: c + 1 }, (_, k) => ({ id: `${c}-${k}`, source: 'x.png', label: c })),
  ),
  { vocabulary: new ClassVocabulary(names) },
);

describe('subsetOfClasses', () => {
  it('keeps a fraction of the classes with all their images, renumbered', () => {
    const subset = subsetOfClasses(single, { fraction: 0.1, rng: new Rng(4) });
    expect(subset.vocabulary!.size).toBe(2);
    const kept = subset.vocabulary!.names.map((name) => names.indexOf(name));
    // Every image of a kept class is there: class c has c + 1 images.
    expect(subset.items.length).toBe(kept.reduce((sum, c) => sum + c + 1, 0));
    for (const item of subset.items)
      expect(subset.vocabulary!.nameOf(item.label!)).toBe(names[Number(item.id.split('-')[0])]);
    // The draw is rng.sample over the class indices.
    const expected = new Rng(4).sample([...Array(20).keys()], 2).sort((a, b) => a - b);
    expect(kept).toEqual(expected);
  });

  it('takes a count, and refuses both or neither', () => {
    expect(subsetOfClasses(single, { count: 5, rng: new Rng(0) }).vocabulary!.size).toBe(5);
    expect(() => subsetOfClasses(single, { rng: new Rng(0) })).toThrow(InvalidArgumentError);
    expect(() => subsetOfClasses(single, { count: 1, fraction: 0.5, rng: new Rng(0) })).toThrow(
      InvalidArgumentError,
    );
    expect(() => subsetOfClasses(single, { count: 21, rng: new Rng(0) })).toThrow(InvalidArgumentError);
  });
});

describe('dropRareClasses', () => {
  it('drops classes with fewer than minCount images, and their images', () => {
    const kept = dropRareClasses(single, { minCount: 18 });
    // Classes 17, 18, 19 have 18, 19, 20 images.
    expect(kept.vocabulary!.names).toEqual(['c17', 'c18', 'c19']);
    expect(kept.items.length).toBe(57);
    expect(kept.items[0]!.label).toBe(0);
    expect(kept.items.at(-1)!.label).toBe(2);
    expect(() => dropRareClasses(single, { minCount: 0 })).toThrow(InvalidArgumentError);
  });
});

describe('dropRareLabels', () => {
  const multi = createDataset(
    [
      { id: 'a', source: 'x', labels: [0, 1] },
      { id: 'b', source: 'x', labels: [0, 2] },
      { id: 'c', source: 'x', labels: [1, 3] },
      { id: 'd', source: 'x', labels: [3] },
    ],
    { vocabulary: new ClassVocabulary(['w', 'x', 'y', 'z']), multiLabel: true },
  );

  it('removes labels seen on fewer than minCount images, keeping their items as negatives', () => {
    const kept = dropRareLabels(multi, { minCount: 2 });
    // Counts: w 2, x 2, y 1, z 2 → y goes; z becomes index 2.
    expect(kept.vocabulary!.names).toEqual(['w', 'x', 'z']);
    expect(kept.items.map((item) => [item.id, item.labels])).toEqual([
      ['a', [0, 1]],
      ['b', [0]],
      ['c', [1, 2]],
      ['d', [2]],
    ]);
    const strict = dropRareLabels(multi, { minCount: 3 });
    expect(strict.vocabulary).toBeUndefined();
    expect(dropRareLabels(multi, { minCount: 2, dropEmpty: true }).items.length).toBe(4);
    const onlyW = dropRareLabels(
      createDataset(
        [
          { id: 'e', source: 'x', labels: [0] },
          { id: 'f', source: 'x', labels: [1] },
        ],
        { vocabulary: new ClassVocabulary(['p', 'q']), multiLabel: true },
      ),
      { minCount: 1 },
    );
    expect(onlyW.items.length).toBe(2);
  });

  it('refuses single-label data and bad counts', () => {
    expect(() => dropRareLabels(single, { minCount: 2 })).toThrow(InvalidArgumentError);
    expect(() => dropRareClasses(multi, { minCount: 2 })).toThrow(InvalidArgumentError);
    expect(() => dropRareLabels(multi, { minCount: 1.5 })).toThrow(InvalidArgumentError);
  });
});
