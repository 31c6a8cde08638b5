import { createPredictionTable } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { predictedClasses } from './predicted-classes.js';

describe('predictedClasses', () => {
  it('takes the argmax of each row, the first class on ties', () => {
    const table = createPredictionTable(['a', 'b', 'c'], ['x', 'y'], [0.2, 0.8, 0.5, 0.5, 1, 0]);
    expect([...predictedClasses(table)]).toEqual([1, 0, 0]);
    expect(() => predictedClasses({ ids: [] } as never)).toThrow(
      'Error in predictedClasses: table must be a PredictionTable',
    );
  });
});
