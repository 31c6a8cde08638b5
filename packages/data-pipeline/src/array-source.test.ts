import { ClassVocabulary, InvalidArgumentError } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { fromArrays } from './array-source.js';
import { solid } from './test-fixtures.js';

describe('fromArrays', () => {
  const image = solid(2, 2, [1, 2, 3]);

  it('indexes single labels by a sorted vocabulary, ids default to positions', () => {
    const dataset = fromArrays([
      { image, label: 'zebra' },
      { image, label: 'ant', id: 'second', group: 'g' },
    ]);
    expect(dataset.vocabulary!.names).toEqual(['ant', 'zebra']);
    expect(dataset.items.map((item) => [item.id, item.label, item.group])).toEqual([
      ['0', 1, undefined],
      ['second', 0, 'g'],
    ]);
    expect(dataset.items[0]!.source).toBe(image);
  });

  it('makes a multi-label dataset when samples carry label lists', () => {
    const dataset = fromArrays([
      { image, labels: ['b', 'a', 'b'] },
      { image, labels: [] },
    ]);
    expect(dataset.multiLabel).toBe(true);
    expect(dataset.items.map((item) => item.labels)).toEqual([[0, 1], []]);
  });

  it('uses a saved vocabulary and rejects labels outside it', () => {
    const vocabulary = new ClassVocabulary(['y', 'x'], { sort: false });
    expect(fromArrays([{ image, label: 'x' }], { vocabulary }).items[0]!.label).toBe(1);
    expect(() => fromArrays([{ image, label: 'z' }], { vocabulary })).toThrow(InvalidArgumentError);
    expect(() => fromArrays([{ image, label: 3 as unknown as string }])).toThrow(InvalidArgumentError);
    expect(() => fromArrays([null as never])).toThrow(InvalidArgumentError);
    expect(() => fromArrays([{ image: 5 as never }])).toThrow(InvalidArgumentError);
  });
});
