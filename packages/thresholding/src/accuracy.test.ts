import { createPredictionTable, InvalidArgumentError } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { accuracy, topKAccuracy } from './accuracy.js';

/** A table whose row i is one-hot at predicted[i]. */
function oneHot(predicted: number[], numClasses: number) {
  const probs = new Float32Array(predicted.length * numClasses);
  predicted.forEach((p, i) => {
    probs[i * numClasses + p] = 1;
  });
  return createPredictionTable(
    predicted.map((_, i) => `r${i}`),
    Array.from({ length: numClasses }, (_, j) => `c${j}`),
    probs,
  );
}

describe('accuracy', () => {
  it("matches scikit-learn's accuracy_score docstring example", () => {
    // sklearn.metrics.accuracy_score: y_pred = [0, 2, 1, 3], y_true = [0, 1, 2, 3] -> 0.5
    expect(accuracy(oneHot([0, 2, 1, 3], 4), [0, 1, 2, 3])).toBe(0.5);
  });

  it('takes the first class on ties, as numpy argmax', () => {
    const table = createPredictionTable(['a', 'b'], ['x', 'y', 'z'], [0.4, 0.4, 0.2, 0.1, 0.45, 0.45]);
    expect(accuracy(table, [0, 1])).toBe(1);
    expect(accuracy(table, [1, 2])).toBe(0);
  });

  it('accepts Int32Array labels', () => {
    expect(accuracy(oneHot([1, 1], 2), Int32Array.from([1, 0]))).toBe(0.5);
  });

  it('rejects an empty table, wrong lengths and out-of-range labels', () => {
    const empty = createPredictionTable([], ['x'], []);
    expect(() => accuracy(empty, [])).toThrow(
      'Error in accuracy: table must be a table with at least one row (a mean over no rows is undefined), got "an empty table"',
    );
    expect(() => accuracy(oneHot([0], 2), [0, 1])).toThrow(InvalidArgumentError);
    expect(() => accuracy(oneHot([0], 2), [2])).toThrow(
      'Error in accuracy: labels[0] must be an integer in [0, 2), got 2',
    );
    expect(() => accuracy(oneHot([0], 2), [0.5])).toThrow('labels[0]');
    expect(() => accuracy({} as never, [0])).toThrow('Error in accuracy: table must be a PredictionTable');
    expect(() => accuracy(oneHot([0], 2), 'a' as never)).toThrow('labels must be an array of class indices');
  });
});

describe('topKAccuracy', () => {
  it("matches scikit-learn's top_k_accuracy_score docstring example", () => {
    // sklearn.metrics.top_k_accuracy_score docstring: y_true = [0, 1, 2, 2], k = 2 -> 0.75
    const table = createPredictionTable(
      ['a', 'b', 'c', 'd'],
      ['0', '1', '2'],
      [0.5, 0.2, 0.2, 0.3, 0.4, 0.2, 0.2, 0.4, 0.3, 0.7, 0.2, 0.1],
    );
    expect(topKAccuracy(table, [0, 1, 2, 2], 2)).toBe(0.75);
  });

  it('equals accuracy at k = 1 and 1 when k covers every class', () => {
    const table = createPredictionTable(
      ['a', 'b', 'c'],
      ['x', 'y', 'z'],
      [0.4, 0.4, 0.2, 0.1, 0.2, 0.7, 0.3, 0.3, 0.4],
    );
    const labels = [1, 0, 2];
    expect(topKAccuracy(table, labels, 1)).toBe(accuracy(table, labels));
    expect(topKAccuracy(table, labels, 3)).toBe(1);
    expect(topKAccuracy(table, labels, 10)).toBe(1);
  });

  it('ranks tied probabilities by class index', () => {
    // Row [0.4, 0.4, 0.2]: class 0 ranks 1, class 1 ranks 2.
    const table = createPredictionTable(['a'], ['x', 'y', 'z'], [0.4, 0.4, 0.2]);
    expect(topKAccuracy(table, [1], 1)).toBe(0);
    expect(topKAccuracy(table, [1], 2)).toBe(1);
    expect(topKAccuracy(table, [2], 2)).toBe(0);
  });

  it('rejects k < 1', () => {
    expect(() => topKAccuracy(oneHot([0], 2), [0], 0)).toThrow(
      'Error in topKAccuracy: k must be an integer >= 1, got 0',
    );
  });
});
