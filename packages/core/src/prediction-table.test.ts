import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { createPredictionTable, predictionRow } from './prediction-table.js';

describe('createPredictionTable', () => {
  it('keeps a Float32Array without copying and freezes ids and classes', () => {
    const probs = new Float32Array([0.1, 0.9, 0.5, 0.5, 1, 0]);
    const table = createPredictionTable(['a', 'b', 'c'], ['cat', 'dog'], probs);
    expect(table.probs).toBe(probs);
    expect(table.ids).toEqual(['a', 'b', 'c']);
    expect(table.classes).toEqual(['cat', 'dog']);
    expect(Object.isFrozen(table.ids)).toBe(true);
    expect(Object.isFrozen(table.classes)).toBe(true);
    expect(Object.isFrozen(table)).toBe(true);
  });

  it('copies ids so later edits to the caller array do not leak in', () => {
    const ids = ['a'];
    const table = createPredictionTable(ids, ['x'], [1]);
    ids.push('b');
    expect(table.ids).toEqual(['a']);
  });

  it('converts plain number arrays to float32', () => {
    const table = createPredictionTable(['a'], ['x', 'y'], [0.25, 0.75]);
    expect(table.probs).toBeInstanceOf(Float32Array);
    expect([...table.probs]).toEqual([0.25, 0.75]);
  });

  it('accepts an empty table', () => {
    const table = createPredictionTable([], ['x'], new Float32Array(0));
    expect(table.ids).toEqual([]);
  });

  const cases: [string, () => unknown, string][] = [
    ['ids not an array', () => createPredictionTable('a' as unknown as string[], ['x'], [1]), 'ids'],
    ['empty id', () => createPredictionTable([''], ['x'], [1]), 'ids[0]'],
    ['non-string id', () => createPredictionTable([1 as unknown as string], ['x'], [1]), 'ids[0]'],
    ['duplicate id', () => createPredictionTable(['a', 'b', 'a'], ['x'], [1, 1, 1]), 'ids[2]'],
    ['no classes', () => createPredictionTable([], [], []), 'classes'],
    ['duplicate class', () => createPredictionTable(['a'], ['x', 'x'], [0, 1]), 'classes[1]'],
    ['probs not array-like', () => createPredictionTable(['a'], ['x'], 3 as unknown as number[]), 'probs'],
    ['probs wrong length', () => createPredictionTable(['a', 'b'], ['x', 'y'], [0, 1, 0]), 'probs'],
    [
      'probs above 1',
      () => createPredictionTable(['a', 'b'], ['x', 'y'], [0, 1, 0, 1.5]),
      'probs[3] (row 1, class y)',
    ],
    ['probs negative', () => createPredictionTable(['a'], ['x'], [-0.1]), 'probs[0] (row 0, class x)'],
    [
      'probs NaN',
      () => createPredictionTable(['a'], ['x'], new Float32Array([Number.NaN])),
      'probs[0] (row 0, class x)',
    ],
  ];

  it.each(cases)('rejects %s', (_, fn, argument) => {
    expect(fn).toThrow(InvalidArgumentError);
    try {
      fn();
    } catch (error) {
      expect((error as InvalidArgumentError).fn).toBe('createPredictionTable');
      expect((error as InvalidArgumentError).argument).toBe(argument);
    }
  });

  it('says which id repeats', () => {
    expect(() => createPredictionTable(['a', 'b', 'a'], ['x'], [1, 1, 1])).toThrow(
      'Error in createPredictionTable: ids[2] must be unique (it repeats ids[0]), got "a"',
    );
  });
});

describe('row', () => {
  const table = createPredictionTable(['a', 'b'], ['x', 'y', 'z'], [0.1, 0.2, 0.7, 0.3, 0.3, 0.4]);

  it('returns a view of one row', () => {
    expect([...predictionRow(table, 1)]).toEqual([...new Float32Array([0.3, 0.3, 0.4])]);
    expect(predictionRow(table, 0).buffer).toBe(table.probs.buffer);
  });

  it.each([-1, 2, 0.5, Number.NaN])('rejects row index %d', (i) => {
    expect(() => predictionRow(table, i)).toThrow('Error in predictionRow: i must be an integer in [0, 2)');
  });
});
