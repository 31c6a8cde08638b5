import { describe, expect, it } from 'vitest';
import { formatNumber, formatResultsTable, formatTable } from './table.js';

describe('formatTable', () => {
  it('pads columns and aligns right where asked', () => {
    expect(
      formatTable(
        ['name', 'n'],
        [
          ['a', '1'],
          ['long name', '100'],
        ],
        ['left', 'right'],
      ),
    ).toBe(
      ['| name      |   n |', '|-----------|----:|', '| a         |   1 |', '| long name | 100 |'].join('\n'),
    );
  });

  it('prints headers alone for no rows, and blanks for missing cells', () => {
    expect(formatTable(['a', 'bb'], [])).toBe('| a | bb |\n|---|----|');
    expect(formatTable(['a', 'b'], [['x']])).toBe('| a | b |\n|---|---|\n| x |   |');
  });
});

describe('formatNumber', () => {
  it.each([
    [5.5734, '5.57'],
    [42.14, '42.1'],
    [0.012345, '0.0123'],
    [99.97, '100'],
    [1234.5, '1235'],
    [0, '0'],
    [-3.456, '-3.46'],
    [Number.NaN, 'NaN'],
  ])('%d → %s', (value, text) => expect(formatNumber(value)).toBe(text));
});

describe('formatResultsTable', () => {
  it('puts the PyTorch figure, the ratio and the goal beside each result that has one', () => {
    const table = formatResultsTable(
      [
        {
          bench: 'train-cnn',
          backend: 'wasm',
          metric: 'train',
          value: 173,
          unit: 'img/s',
          iterations: 20,
          seconds: 7.4,
        },
        {
          bench: 'train-cnn',
          backend: 'cpu',
          metric: 'predict',
          value: 16.2,
          unit: 'img/s',
          iterations: 4,
          seconds: 15.8,
        },
      ],
      [{ bench: 'train-cnn', backend: 'wasm', metric: 'train', topk: 173, torch: 346, ratio: 0.5, goal: 1 }],
    );
    expect(table.split('\n')).toEqual([
      '| bench     | backend | metric  | topk | unit  | iters | torch | topk/torch | goal |',
      '|-----------|---------|---------|-----:|-------|------:|------:|-----------:|-----:|',
      '| train-cnn | wasm    | train   |  173 | img/s |    20 |   346 |       0.5× | ≥ 1× |',
      '| train-cnn | cpu     | predict | 16.2 | img/s |     4 |     — |          — |    — |',
    ]);
  });

  it('marks a ratio that meets its goal', () => {
    const table = formatResultsTable(
      [
        {
          bench: 'train-mnet',
          backend: 'wasm',
          metric: 'predict',
          value: 1200,
          unit: 'img/s',
          iterations: 20,
          seconds: 1,
        },
      ],
      [
        {
          bench: 'train-mnet',
          backend: 'wasm',
          metric: 'predict',
          topk: 1200,
          torch: 736,
          ratio: 1.63,
          goal: 1.5,
        },
      ],
    );
    expect(table).toContain('1.63× ✓');
  });
});
