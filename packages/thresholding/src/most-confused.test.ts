import { createPredictionTable } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { labels, table } from './error-analysis.fixtures.js';
import { mostConfused } from './most-confused.js';

describe('mostConfused', () => {
  it('counts off-diagonal pairs, largest first', () => {
    // Mistakes: sea->buildings (r0, r5), forest->buildings (r3).
    expect(mostConfused(table, labels)).toEqual([
      { actual: 'sea', predicted: 'buildings', count: 2 },
      { actual: 'forest', predicted: 'buildings', count: 1 },
    ]);
    expect(mostConfused(table, labels, { minCount: 2 })).toHaveLength(1);
  });

  it('is empty when every prediction is right, and for an empty table', () => {
    expect(mostConfused(table, [0, 0, 1, 0, 2, 0])).toEqual([]);
    expect(mostConfused(createPredictionTable([], ['x'], []), [])).toEqual([]);
  });
});
