import { createPredictionTable } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { AGGREGATION_METHODS, aggregatePredictions } from './aggregate-predictions.js';

// Product p1 has images p1#0, p1#1; product p2 has p2#0.
const table = createPredictionTable(['p1#0', 'p2#0', 'p1#1'], ['x', 'y'], [0.8, 0.2, 0.3, 0.7, 0.4, 0.6]);
const byProduct = (id: string) => id.split('#')[0]!;

describe('aggregatePredictions', () => {
  it('averages the rows of each group, groups in order of first appearance', () => {
    const out = aggregatePredictions(table, { groups: byProduct });
    expect(out.ids).toEqual(['p1', 'p2']);
    expect(out.classes).toEqual(['x', 'y']);
    [0.6, 0.4, 0.3, 0.7].forEach((v, k) => {
      expect(out.probs[k]).toBeCloseTo(v, 6);
    });
  });

  it('accepts one group id per row', () => {
    const out = aggregatePredictions(table, { groups: ['p1', 'p2', 'p1'] });
    expect(out.probs).toEqual(aggregatePredictions(table, { groups: byProduct }).probs);
  });

  it('takes geometric and harmonic means and the maximum (hand-computed)', () => {
    const first = (method: (typeof AGGREGATION_METHODS)[number]) => [
      ...aggregatePredictions(table, { groups: byProduct, method }).probs.subarray(0, 2),
    ];
    expect(first('geometric-mean')[0]).toBeCloseTo(Math.sqrt(0.32), 6);
    expect(first('harmonic-mean')[1]).toBeCloseTo(2 / (1 / 0.2 + 1 / 0.6), 6);
    expect(first('max')).toEqual([0.8, 0.6].map(Math.fround));
  });

  it.each(AGGREGATION_METHODS)('leaves single-row groups unchanged (%s)', (method) => {
    const out = aggregatePredictions(table, { groups: (id) => id, method });
    out.probs.forEach((p, k) => {
      expect(p).toBeCloseTo(table.probs[k]!, 6);
    });
  });

  it('rejects bad groups', () => {
    expect(() => aggregatePredictions(table, { groups: ['a'] })).toThrow(
      'Error in aggregatePredictions: options.groups must be an array of 3 group ids or a function of (id, row)',
    );
    expect(() => aggregatePredictions(table, { groups: () => '' })).toThrow(
      'options.groups (row 0, id "p1#0") must be a non-empty string, got ""',
    );
    expect(() => aggregatePredictions(table, { groups: byProduct, method: 'median' as never })).toThrow(
      'options.method',
    );
  });
});
