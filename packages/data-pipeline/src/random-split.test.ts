import { ClassVocabulary, InvalidArgumentError, Rng } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { createDataset } from './dataset.js';
import { randomSplit } from './random-split.js';

const dataset = createDataset(
  Array.from({ length: 10 }, (_, i) => ({ id: `i${i}`, source: `${i}.png`, label: i % 2 })),
  { vocabulary: new ClassVocabulary(['a', 'b']) },
);

describe('randomSplit', () => {
  it('puts round(n × validFraction) items in validation, the rest in training, order kept', () => {
    const { train, valid } = randomSplit(dataset, { validFraction: 0.25, rng: new Rng(1) });
    expect(valid.items.length).toBe(3); // round(2.5) = 3
    expect(train.items.length).toBe(7);
    const ids = [...train.items, ...valid.items].map((item) => item.id).sort();
    expect(ids).toEqual(dataset.items.map((item) => item.id).sort());
    const order = (list: readonly { id: string }[]) => list.map((item) => Number(item.id.slice(1)));
    expect(order(train.items)).toEqual([...order(train.items)].sort((a, b) => a - b));
    expect(train.vocabulary).toBe(dataset.vocabulary);
  });

  it('chooses the validation items as the first draws of the permutation, reproducibly', () => {
    const expected = new Rng(9)
      .permutation(10)
      .slice(0, 2)
      .sort((a, b) => a - b)
      .map((i) => `i${i}`);
    const { valid } = randomSplit(dataset, { rng: new Rng(9) });
    expect(valid.items.map((item) => item.id)).toEqual(expected);
    expect(randomSplit(dataset, { rng: new Rng(9) }).valid.items).toEqual(valid.items);
  });

  it('rejects bad fractions and a missing Rng', () => {
    expect(() => randomSplit(dataset, { validFraction: 1, rng: new Rng(0) })).toThrow(InvalidArgumentError);
    expect(() => randomSplit(dataset, { validFraction: 0, rng: new Rng(0) })).toThrow(InvalidArgumentError);
    expect(() => randomSplit(dataset, {} as never)).toThrow(/options.rng must be an Rng/);
  });
});
