import type { PredictionTable } from '@topk/core';
import { createPredictionTable, InvalidArgumentError, Rng } from '@topk/core';
import { predictedClasses } from '@topk/thresholding';
import { describe, expect, it } from 'vitest';
import { combinePredictions, ENSEMBLE_METHODS } from './combine-predictions.js';

const ids = ['r0', 'r1'];
const classes = ['cat', 'dog'];
const a = createPredictionTable(ids, classes, [0.8, 0.2, 0.4, 0.6]);
const b = createPredictionTable(ids, classes, [0.6, 0.4, 0.1, 0.9]);

function expectProbs(table: PredictionTable, expected: number[]) {
  expect(table.probs).toHaveLength(expected.length);
  expected.forEach((v, k) => {
    expect(table.probs[k]).toBeCloseTo(v, 6);
  });
}

describe('combinePredictions', () => {
  it('averages (hand-computed)', () => {
    expectProbs(combinePredictions([a, b]), [0.7, 0.3, 0.25, 0.75]);
  });

  it('weights the mean', () => {
    // 0.75·A + 0.25·B
    expectProbs(combinePredictions([a, b], { weights: [3, 1] }), [0.75, 0.25, 0.325, 0.675]);
  });

  it('takes geometric and harmonic means (hand-computed)', () => {
    expectProbs(combinePredictions([a, b], { method: 'geometric-mean' }), [
      Math.sqrt(0.48),
      Math.sqrt(0.08),
      Math.sqrt(0.04),
      Math.sqrt(0.54),
    ]);
    // 2 / (1/p + 1/q)
    expectProbs(combinePredictions([a, b], { method: 'harmonic-mean' }), [
      2 / (1 / 0.8 + 1 / 0.6),
      2 / (1 / 0.2 + 1 / 0.4),
      2 / (1 / 0.4 + 1 / 0.1),
      2 / (1 / 0.6 + 1 / 0.9),
    ]);
  });

  it('gives 0 for geometric and harmonic means when a weighted model says 0, and ignores zero-weight models', () => {
    const zero = createPredictionTable(ids, classes, [1, 0, 0, 1]);
    for (const method of ['geometric-mean', 'harmonic-mean'] as const) {
      const combined = combinePredictions([a, zero], { method });
      expect(combined.probs[1]).toBe(0);
      expect(combined.probs[2]).toBe(0);
      expectProbs(combinePredictions([a, zero], { method, weights: [1, 0] }), [...a.probs]);
    }
  });

  it('takes the element-wise maximum', () => {
    expectProbs(combinePredictions([a, b], { method: 'max' }), [0.8, 0.4, 0.4, 0.9]);
  });

  it('averages ranks within each class column', () => {
    // Column cat: A ranks r0 above r1 (2, 1), so does B; column dog: r1 above r0 in both. Ranks / 2 rows.
    expectProbs(combinePredictions([a, b], { method: 'rank-average' }), [1, 0.5, 0.5, 1]);
    // scipy.stats.rankdata([0, 2, 3, 2]) -> [1, 2.5, 4, 2.5] (scipy docstring); divided by 4 rows.
    const column = createPredictionTable(['w', 'x', 'y', 'z'], ['only'], [0, 0.2, 0.3, 0.2]);
    expectProbs(combinePredictions([column], { method: 'rank-average' }), [0.25, 0.625, 1, 0.625]);
  });

  it('votes with a random tie-break: one-hot, deterministic under a seed, uniform over tied classes', () => {
    const votes = ['cat', 'dog', 'cow'];
    const t = (winner: number) =>
      createPredictionTable(
        ['r'],
        votes,
        votes.map((_, j) => (j === winner ? 0.9 : 0.05)),
      );
    // Two votes for cat: a clear majority.
    expectProbs(combinePredictions([t(0), t(0), t(1)], { method: 'vote', rng: new Rng(1) }), [1, 0, 0]);
    // cat and dog tie; cow never wins.
    const tables = [t(0), t(1)];
    const counts = [0, 0, 0];
    for (let seed = 0; seed < 300; seed++) {
      const first = combinePredictions(tables, { method: 'vote', rng: new Rng(seed) });
      const again = combinePredictions(tables, { method: 'vote', rng: new Rng(seed) });
      expect(again.probs).toEqual(first.probs);
      counts[predictedClasses(first)[0]!]!++;
    }
    expect(counts[2]).toBe(0);
    // Binomial(300, 1/2): 150 ± 3 standard deviations (26).
    expect(Math.abs(counts[0]! - 150)).toBeLessThan(26);
  });

  it('matches rows by id and columns by class name', () => {
    const shuffled = createPredictionTable(['r1', 'r0'], ['dog', 'cat'], [0.9, 0.1, 0.4, 0.6]);
    expect(combinePredictions([a, shuffled]).probs).toEqual(combinePredictions([a, b]).probs);
  });

  describe.each(ENSEMBLE_METHODS)('conformance: %s', (method) => {
    const rng = new Rng(`tables-${method}`);
    const random = (seed: string) => {
      const r = new Rng(seed);
      return createPredictionTable(
        ['i0', 'i1', 'i2', 'i3', 'i4'],
        ['a', 'b', 'c'],
        Float32Array.from({ length: 15 }, () => r.next()),
      );
    };
    const tables = [random('x'), random('y'), random('z')];
    const options = { method, rng };

    it('keeps the ids and classes and stays in [0, 1]', () => {
      const out = combinePredictions(tables, options);
      expect(out.ids).toEqual(tables[0]!.ids);
      expect(out.classes).toEqual(tables[0]!.classes);
      for (const p of out.probs) expect(p >= 0 && p <= 1).toBe(true);
    });

    it('is deterministic', () => {
      const first = combinePredictions(tables, { method, rng: new Rng(5) });
      expect(combinePredictions(tables, { method, rng: new Rng(5) }).probs).toEqual(first.probs);
    });

    it('keeps the argmax of a single model, and of copies of one model', () => {
      const expected = [...predictedClasses(tables[0]!)];
      expect([...predictedClasses(combinePredictions([tables[0]!], options))]).toEqual(expected);
      expect([...predictedClasses(combinePredictions([tables[0]!, tables[0]!], options))]).toEqual(expected);
    });
  });

  it('returns a copy of one table for the means and the maximum of identical tables', () => {
    for (const method of ['mean', 'geometric-mean', 'harmonic-mean', 'max'] as const) {
      expectProbs(combinePredictions([a, a, a], { method }), [...a.probs]);
    }
  });

  it('rejects bad options', () => {
    expect(() => combinePredictions([a, b], { method: 'median' as never })).toThrow(
      "Error in combinePredictions: options.method must be one of 'mean', 'geometric-mean', 'harmonic-mean', 'rank-average', 'vote', 'max', got \"median\"",
    );
    expect(() => combinePredictions([a, b], { weights: [1] })).toThrow(
      'options.weights must be an array of 2 weights (one per model), got array of length 1',
    );
    expect(() => combinePredictions([a, b], { weights: [1, -1] })).toThrow(
      'options.weights[1] must be a finite number >= 0',
    );
    expect(() => combinePredictions([a, b], { weights: [0, 0] })).toThrow(
      'weights with a positive finite sum',
    );
    expect(() => combinePredictions([a, b], { method: 'max', weights: [1, 1] })).toThrow(
      "options.weights must be undefined for method 'max'",
    );
    expect(() => combinePredictions([a, b], { method: 'vote' })).toThrow(
      "options.rng must be an Rng ('vote' breaks ties at random), got undefined",
    );
    expect(() => combinePredictions([])).toThrow(InvalidArgumentError);
  });
});
