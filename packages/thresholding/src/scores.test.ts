import { InvalidArgumentError } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { countMultiLabelOutcomes, countOutcomes } from './class-outcomes.js';
import { AVERAGES, averageScores, f1Score, perClassScores } from './scores.js';

describe('countOutcomes and the scores', () => {
  // sklearn.metrics.f1_score docstring: y_true = [0, 1, 2, 0, 1, 2], y_pred = [0, 2, 1, 0, 0, 1]
  // -> macro 0.26..., micro 0.33..., weighted 0.26..., per class [0.8, 0, 0].
  const docstring = countOutcomes([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], 3);

  it('counts true/false positives and false negatives', () => {
    expect([...docstring.truePositives]).toEqual([2, 0, 0]);
    expect([...docstring.falsePositives]).toEqual([1, 2, 1]);
    expect([...docstring.falseNegatives]).toEqual([0, 2, 2]);
    expect(docstring.samples).toBe(6);
    expect(docstring.multiLabel).toBe(false);
  });

  it("matches scikit-learn's f1_score docstring example", () => {
    expect([...perClassScores(docstring).f1]).toEqual([0.8, 0, 0]);
    expect(f1Score(docstring, 'macro')).toBeCloseTo(0.8 / 3, 12);
    expect(f1Score(docstring)).toBeCloseTo(0.8 / 3, 12);
    expect(f1Score(docstring, 'micro')).toBeCloseTo(1 / 3, 12);
    // Supports are 2, 2, 2, so weighted equals macro here.
    expect(f1Score(docstring, 'weighted')).toBeCloseTo(0.8 / 3, 12);
  });

  it("matches scikit-learn's precision_recall_fscore_support docstring example", () => {
    // y_true = [cat, dog, pig, cat, dog, pig], y_pred = [cat, pig, dog, cat, cat, dog] with cat=0, dog=1, pig=2
    // -> macro (0.22..., 0.33..., 0.26...), micro (0.33..., 0.33..., 0.33...), weighted (0.22..., 0.33..., 0.26...)
    const outcomes = countOutcomes([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], 3);
    const macro = averageScores(outcomes, 'macro');
    expect(macro.precision).toBeCloseTo(2 / 9, 12);
    expect(macro.recall).toBeCloseTo(1 / 3, 12);
    expect(macro.f1).toBeCloseTo(0.8 / 3, 12);
    const micro = averageScores(outcomes, 'micro');
    expect([micro.precision, micro.recall, micro.f1].map((v) => v.toFixed(10))).toEqual(
      Array(3).fill((1 / 3).toFixed(10)),
    );
    const weighted = averageScores(outcomes, 'weighted');
    expect(weighted.precision).toBeCloseTo(2 / 9, 12);
    expect(weighted.recall).toBeCloseTo(1 / 3, 12);
    expect(weighted.support).toBe(6);
  });

  it("matches scikit-learn's multi-label f1_score and precision_score docstring examples", () => {
    // y_true = [[0,0,0],[1,1,1],[0,1,1]], y_pred = [[0,0,0],[1,1,1],[1,1,0]]
    // -> f1 per class [0.66666667, 1, 0.66666667], precision per class [0.5, 1, 1]
    const outcomes = countMultiLabelOutcomes([0, 0, 0, 1, 1, 1, 0, 1, 1], [0, 0, 0, 1, 1, 1, 1, 1, 0], 3);
    const scores = perClassScores(outcomes);
    expect(scores.f1[0]).toBeCloseTo(2 / 3, 12);
    expect(scores.f1[1]).toBe(1);
    expect(scores.f1[2]).toBeCloseTo(2 / 3, 12);
    expect([...scores.precision]).toEqual([0.5, 1, 1]);
    expect([...scores.support]).toEqual([1, 2, 2]);
    expect(outcomes.multiLabel).toBe(true);
    expect(outcomes.samples).toBe(3);
  });

  it("applies zeroDivision as scikit-learn's precision_score docstring example", () => {
    // y_true = [0, 1, 2, 0, 1, 2], y_pred = [0, 0, 0, 0, 0, 0]
    // -> precision [0.33..., 0, 0]; with zero_division=1 -> [0.33..., 1, 1]
    const outcomes = countOutcomes([0, 1, 2, 0, 1, 2], [0, 0, 0, 0, 0, 0], 3);
    expect(perClassScores(outcomes).precision[0]).toBeCloseTo(1 / 3, 12);
    expect([...perClassScores(outcomes).precision].slice(1)).toEqual([0, 0]);
    expect([...perClassScores(outcomes, { zeroDivision: 1 }).precision].slice(1)).toEqual([1, 1]);
    // A class that is true but never predicted has recall 0 and F1 0 whatever zeroDivision says.
    expect([...perClassScores(outcomes, { zeroDivision: 1 }).recall].slice(1)).toEqual([0, 0]);
    expect([...perClassScores(outcomes, { zeroDivision: 1 }).f1].slice(1)).toEqual([0, 0]);
  });

  it('gives zeroDivision for a class absent from labels and predictions (sklearn f1_score zero_division example)', () => {
    // f1_score([0]*6, [0]*6) -> 0.0, with zero_division=1 -> 1.0 (the positive class 1 never occurs).
    const outcomes = countOutcomes([0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], 2);
    expect(perClassScores(outcomes).f1[1]).toBe(0);
    expect(perClassScores(outcomes, { zeroDivision: 1 }).f1[1]).toBe(1);
    // Every class counts in the macro average (sklearn with labels=range(2)).
    expect(f1Score(outcomes, 'macro')).toBe(0.5);
    expect(f1Score(outcomes, 'macro', { zeroDivision: 1 })).toBe(1);
  });

  it('micro-averaged scores of single-label outcomes equal accuracy', () => {
    const actual = [0, 1, 2, 2, 1, 0, 3, 3];
    const predicted = [0, 2, 2, 2, 1, 3, 3, 0];
    const correct = actual.filter((a, i) => a === predicted[i]).length / actual.length;
    const micro = averageScores(countOutcomes(actual, predicted, 4), 'micro');
    expect(micro.f1).toBeCloseTo(correct, 12);
    expect(micro.precision).toBeCloseTo(correct, 12);
  });

  it('handles empty input', () => {
    const outcomes = countOutcomes([], [], 3);
    expect(outcomes.samples).toBe(0);
    for (const average of AVERAGES) {
      expect(averageScores(outcomes, average)).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
      expect(averageScores(outcomes, average, { zeroDivision: 1 }).f1).toBe(1);
    }
    expect(countMultiLabelOutcomes([], [], 2).samples).toBe(0);
  });

  it('rejects bad arguments', () => {
    expect(() => countOutcomes([0, 1], [0], 2)).toThrow(
      'Error in countOutcomes: predicted must be of length 2',
    );
    expect(() => countOutcomes([0, 3], [0, 1], 2)).toThrow('actual[1] must be an integer in [0, 2), got 3');
    expect(() => countOutcomes([0], [0], 0)).toThrow('numClasses must be an integer >= 1, got 0');
    expect(() => countMultiLabelOutcomes([0, 1, 1], [0, 1, 1], 2)).toThrow('a multiple of numClasses (2)');
    expect(() => countMultiLabelOutcomes([0, 2], [0, 1], 2)).toThrow(
      'Error in countMultiLabelOutcomes: actual[1] (row 0, class 1) must be 0 or 1, got 2',
    );
    const outcomes = countOutcomes([0], [0], 2);
    expect(() => averageScores(outcomes, 'samples' as never)).toThrow(
      "Error in averageScores: average must be one of 'micro', 'macro', 'weighted', got \"samples\"",
    );
    expect(() => f1Score(outcomes, 'macro', { zeroDivision: 2 })).toThrow(
      'Error in f1Score: options.zeroDivision must be a number in [0, 1], got 2',
    );
    expect(() => perClassScores({} as never)).toThrow(InvalidArgumentError);
  });
});
