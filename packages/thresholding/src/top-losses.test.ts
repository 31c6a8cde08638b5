import { describe, expect, it } from 'vitest';
import { labels, table } from './error-analysis.fixtures.js';
import { topLosses } from './top-losses.js';

describe('topLosses', () => {
  it('sorts rows by cross-entropy, highest first', () => {
    const losses = topLosses(table, labels, { k: 3 });
    expect(losses.map((l) => l.id)).toEqual(['r0', 'r3', 'r5']); // p(label) = 0.02, 0.05, 0.1
    expect(losses[0]).toEqual({
      row: 0,
      id: 'r0',
      actual: 'sea',
      predicted: 'buildings',
      actualProbability: 0.02,
      predictedProbability: 0.95,
      loss: -Math.log(Math.fround(0.02)),
    });
    expect(topLosses(table, labels)).toHaveLength(6);
    expect(topLosses(table, labels, { k: 0 })).toEqual([]);
  });

  it('rejects a negative k', () => {
    expect(() => topLosses(table, labels, { k: -1 })).toThrow(
      'Error in topLosses: options.k must be an integer >= 0, got -1',
    );
  });
});
