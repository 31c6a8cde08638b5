import { InvalidArgumentError, Rng } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { createDataset } from './dataset.js';
import { groupSplit } from './group-split.js';

// 40 products with 1–4 images each (Cdiscount-style), plus 5 images without a product.
const items = [
  ...Array.from({ length: 40 }, (_, p) =>
    Array.from({ length: 1 + (p % 4) }, (_, k) => ({ id: `p${p}-${k}`, source: 'x.jpg', group: `p${p}` })),
  ).flat(),
  ...Array.from({ length: 5 }, (_, k) => ({ id: `solo${k}`, source: 'x.jpg' })),
];
const dataset = createDataset(items);

describe('groupSplit', () => {
  it('never splits a group, and sends round(groups × f) groups to validation', () => {
    for (const seed of [0, 1, 2, 3]) {
      const { train, valid } = groupSplit(dataset, { validFraction: 0.2, rng: new Rng(seed) });
      const groupsOf = (list: readonly { id: string; group?: string }[]) =>
        new Set(list.map((item) => item.group ?? item.id));
      const trainGroups = groupsOf(train.items);
      const validGroups = groupsOf(valid.items);
      for (const g of validGroups) expect(trainGroups.has(g)).toBe(false);
      expect(validGroups.size).toBe(9); // round(45 × 0.2)
      expect(train.items.length + valid.items.length).toBe(items.length);
      // Every image of a validation product is in validation.
      for (const item of valid.items)
        if (item.group)
          expect(valid.items.filter((i) => i.group === item.group).length).toBe(
            1 + (Number(item.group.slice(1)) % 4),
          );
    }
  });

  it('is reproducible and rejects bad options', () => {
    const a = groupSplit(dataset, { rng: new Rng(7) }).valid.items;
    expect(groupSplit(dataset, { rng: new Rng(7) }).valid.items).toEqual(a);
    expect(() => groupSplit(dataset, { validFraction: -0.1, rng: new Rng(0) })).toThrow(InvalidArgumentError);
  });
});
