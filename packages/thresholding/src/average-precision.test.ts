import { createPredictionTable } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { averagePrecisionAtK, meanAveragePrecisionAtK } from './average-precision.js';

/** Relevance flags of `predicted` against `actual`, counting a repeated item once (as ml_metrics' apk). */
function relevance(actual: number[], predicted: number[]): number[] {
  const set = new Set(actual);
  return predicted.map((p, i) => (set.has(p) && !predicted.slice(0, i).includes(p) ? 1 : 0));
}
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const apk = (actual: number[], predicted: number[], k: number) =>
  averagePrecisionAtK(relevance(actual, predicted), actual.length, k);

describe('averagePrecisionAtK', () => {
  it("matches the apk tests of Ben Hamner's ml_metrics (benhamner/Metrics)", () => {
    expect(apk(range(1, 6), [6, 4, 7, 1, 2], 2)).toBeCloseTo(0.25, 12);
    expect(apk(range(1, 6), [1, 1, 1, 1, 1], 5)).toBeCloseTo(0.2, 12);
    expect(apk(range(1, 100), [...range(1, 21), ...range(200, 600)], 20)).toBeCloseTo(1, 12);
  });

  it('matches the mapk tests of ml_metrics', () => {
    const mapk = (actual: number[][], predicted: number[][], k: number) =>
      actual.reduce((sum, a, i) => sum + apk(a, predicted[i]!, k), 0) / actual.length;
    expect(mapk([range(1, 5)], [range(1, 5)], 3)).toBeCloseTo(1, 12);
    expect(
      mapk(
        [
          [1, 3, 4],
          [1, 2, 4],
          [1, 3],
        ],
        [range(1, 6), range(1, 6), range(1, 6)],
        3,
      ),
    ).toBeCloseTo(37 / 54, 12);
    expect(
      mapk(
        [range(1, 6), range(1, 6)],
        [
          [6, 4, 7, 1, 2],
          [1, 1, 1, 1, 1],
        ],
        5,
      ),
    ).toBeCloseTo(0.26, 12);
    expect(
      mapk(
        [
          [1, 3],
          [1, 2, 3],
          [1, 2, 3],
        ],
        [range(1, 6), [1, 1, 1], [1, 2, 1]],
        3,
      ),
    ).toBeCloseTo(11 / 18, 12);
  });

  it('is 1/rank for a single relevant item and 0 past k or with nothing relevant', () => {
    expect(averagePrecisionAtK([0, 0, 1], 1, 5)).toBeCloseTo(1 / 3, 12);
    expect(averagePrecisionAtK([0, 0, 1], 1, 2)).toBe(0);
    expect(averagePrecisionAtK([true, false], 1, 1)).toBe(1);
    expect(averagePrecisionAtK([], 3, 5)).toBe(0);
    expect(averagePrecisionAtK([0, 0], 0, 5)).toBe(0);
  });

  it('rejects inconsistent arguments', () => {
    expect(() => averagePrecisionAtK([1, 1], 1, 2)).toThrow(
      'Error in averagePrecisionAtK: numRelevant must be at least the 2 relevant items in the list, got 1',
    );
    expect(() => averagePrecisionAtK([1], 1, 0)).toThrow('k must be an integer >= 1');
    expect(() => averagePrecisionAtK('1' as never, 1, 1)).toThrow('relevance must be an array');
  });
});

describe('meanAveragePrecisionAtK', () => {
  it('averages 1/rank of the true class over rows (Kaggle MAP@5 of the humpback-whale challenge)', () => {
    // Six classes; the true class ranks 1, 2, 4 and 6 in the four rows.
    const table = createPredictionTable(
      ['a', 'b', 'c', 'd'],
      ['0', '1', '2', '3', '4', '5'],
      [
        [0.5, 0.2, 0.1, 0.1, 0.05, 0.05], // label 0: rank 1
        [0.5, 0.2, 0.1, 0.1, 0.05, 0.05], // label 1: rank 2
        [0.1, 0.5, 0.2, 0.1, 0.05, 0.05], // label 3: rank 4 (behind 1 and 2, and class 0 wins the tie at 0.1)
        [0.5, 0.2, 0.1, 0.1, 0.06, 0.04], // label 5: rank 6
      ].flat(),
    );
    expect(meanAveragePrecisionAtK(table, [0, 1, 3, 5])).toBeCloseTo((1 + 1 / 2 + 1 / 4 + 0) / 4, 12);
    expect(meanAveragePrecisionAtK(table, [0, 1, 3, 5], 6)).toBeCloseTo((1 + 1 / 2 + 1 / 4 + 1 / 6) / 4, 12);
    expect(meanAveragePrecisionAtK(table, [0, 1, 3, 5], 1)).toBe(0.25);
  });
});
