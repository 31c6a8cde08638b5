import { ClassVocabulary, InvalidArgumentError } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { createDataset, subsetDataset } from './dataset.js';
import type { DatasetItem } from './types.js';

const vocabulary = new ClassVocabulary(['cat', 'dog']);

function argumentOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as InvalidArgumentError).argument;
  }
  throw new Error('expected a throw');
}

describe('createDataset', () => {
  it('freezes a valid listing', () => {
    const dataset = createDataset(
      [
        { id: 'a', source: 'a.jpg', label: 0 },
        {
          id: 'b',
          source: new Uint8Array(3),
          label: 1,
          group: 'g',
          box: { left: 0, top: 0, width: 2, height: 2 },
        },
        { id: 'c', source: { data: new Uint8Array(4), width: 2, height: 2, channels: 1 } },
      ],
      { vocabulary },
    );
    expect(dataset.items.map((item) => item.id)).toEqual(['a', 'b', 'c']);
    expect(Object.isFrozen(dataset.items)).toBe(true);
    expect(dataset.multiLabel).toBe(false);
  });

  it('checks ids, sources, labels, groups and boxes', () => {
    const item = (extra: Partial<DatasetItem>): DatasetItem => ({ id: 'x', source: 'x.jpg', ...extra });
    expect(argumentOf(() => createDataset([item({}), item({})]))).toBe('items[1].id');
    expect(argumentOf(() => createDataset([item({ id: '' })]))).toBe('items[0].id');
    expect(argumentOf(() => createDataset([item({ source: 3 as unknown as string })]))).toBe(
      'items[0].source',
    );
    expect(argumentOf(() => createDataset([item({ label: 2 })], { vocabulary }))).toBe('items[0].label');
    expect(argumentOf(() => createDataset([item({ label: 0 })]))).toBe('items[0].label');
    expect(argumentOf(() => createDataset([item({ labels: [0] })], { vocabulary }))).toBe('items[0].labels');
    expect(
      argumentOf(() => createDataset([item({ labels: [1, 0] })], { vocabulary, multiLabel: true })),
    ).toBe('items[0].labels');
    expect(argumentOf(() => createDataset([item({ label: 0 })], { vocabulary, multiLabel: true }))).toBe(
      'items[0].label',
    );
    expect(argumentOf(() => createDataset([item({ group: '' })]))).toBe('items[0].group');
    expect(argumentOf(() => createDataset([item({ box: { left: 0, top: 0, width: 0, height: 1 } })]))).toBe(
      'items[0].box',
    );
    expect(argumentOf(() => createDataset('x' as unknown as DatasetItem[]))).toBe('items');
    expect(
      createDataset([item({ labels: [0, 1] })], { vocabulary, multiLabel: true }).items[0]!.labels,
    ).toEqual([0, 1]);
  });
});

describe('subsetDataset', () => {
  const dataset = createDataset(
    ['a', 'b', 'c', 'd'].map((id, i) => ({ id, source: `${id}.png`, label: i % 2 })),
    { vocabulary },
  );

  it('takes the items at the given positions, in that order', () => {
    const subset = subsetDataset(dataset, [3, 0]);
    expect(subset.items.map((item) => item.id)).toEqual(['d', 'a']);
    expect(subset.vocabulary).toBe(vocabulary);
  });

  it('rejects repeats and out-of-range positions', () => {
    expect(argumentOf(() => subsetDataset(dataset, [1, 1]))).toBe('indices[1]');
    expect(argumentOf(() => subsetDataset(dataset, [4]))).toBe('indices[0]');
    expect(argumentOf(() => subsetDataset({} as never, [0]))).toBe('dataset');
  });
});
