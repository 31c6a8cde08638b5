import { createPredictionTable, InvalidArgumentError } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { alignTables } from './align-tables.js';

const a = createPredictionTable(['x', 'y'], ['cat', 'dog'], [0.9, 0.1, 0.3, 0.7]);

describe('alignTables', () => {
  it('reorders rows by id and columns by class name to match the first table', () => {
    const b = createPredictionTable(['y', 'x'], ['dog', 'cat'], [0.6, 0.4, 0.2, 0.8]);
    const [, aligned] = alignTables([a, b]);
    expect(aligned!.ids).toEqual(['x', 'y']);
    expect(aligned!.classes).toEqual(['cat', 'dog']);
    expect([...aligned!.probs]).toEqual([...new Float32Array([0.8, 0.2, 0.4, 0.6])]);
  });

  it('returns tables already in the same layout as they are', () => {
    const b = createPredictionTable(['x', 'y'], ['cat', 'dog'], [0.5, 0.5, 0.5, 0.5]);
    const aligned = alignTables([a, b]);
    expect(aligned[0]).toBe(a);
    expect(aligned[1]).toBe(b);
  });

  it('names the missing and unexpected ids', () => {
    const b = createPredictionTable(['x', 'z'], ['cat', 'dog'], [0.5, 0.5, 0.5, 0.5]);
    expect(() => alignTables([a, b])).toThrow(
      'Error in alignTables: tables[1].ids must be the same ids as tables[0].ids, in any order (missing "y"; unexpected "z"), got array of length 2',
    );
    const c = createPredictionTable(['x'], ['cat', 'dog'], [0.5, 0.5]);
    expect(() => alignTables([a, c])).toThrow('(missing "y")');
  });

  it('names mismatched classes', () => {
    const b = createPredictionTable(['x', 'y'], ['cat', 'cow'], [0.5, 0.5, 0.5, 0.5]);
    expect(() => alignTables([a, b])).toThrow(
      'tables[1].classes must be the same classes as tables[0].classes, in any order (missing "dog"; unexpected "cow")',
    );
  });

  it('rejects an empty list and non-tables', () => {
    expect(() => alignTables([])).toThrow(
      'Error in alignTables: tables must be a non-empty array of prediction tables',
    );
    expect(() => alignTables([a, {} as never])).toThrow(InvalidArgumentError);
    expect(() => alignTables([a, {} as never])).toThrow('tables[1] must be a PredictionTable');
  });
});
