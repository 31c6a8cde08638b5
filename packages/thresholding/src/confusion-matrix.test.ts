import { describe, expect, it } from 'vitest';
import { CONFUSION_NORMALIZATIONS, confusionMatrix, formatConfusionMatrix } from './confusion-matrix.js';

describe('confusionMatrix', () => {
  // sklearn.metrics.confusion_matrix docstring: y_true = [2, 0, 2, 2, 0, 1], y_pred = [0, 0, 2, 2, 0, 2]
  // -> [[2, 0, 0], [0, 0, 1], [1, 0, 2]]
  const actual = [2, 0, 2, 2, 0, 1];
  const predicted = [0, 0, 2, 2, 0, 2];

  it("matches scikit-learn's confusion_matrix docstring example", () => {
    const m = confusionMatrix(actual, predicted, 3);
    expect(m.normalize).toBe('none');
    expect([...m.values]).toEqual([2, 0, 0, 0, 0, 1, 1, 0, 2]);
  });

  it('normalises over true rows, predicted columns or everything; empty rows and columns stay 0', () => {
    // Row totals 2, 1, 3; column totals 3, 0, 3 (class 1 is never predicted).
    const byTrue = confusionMatrix(actual, predicted, 3, { normalize: 'true' }).values;
    for (const [k, v] of [1, 0, 0, 0, 0, 1, 1 / 3, 0, 2 / 3].entries()) expect(byTrue[k]).toBeCloseTo(v, 12);
    const byPred = confusionMatrix(actual, predicted, 3, { normalize: 'pred' }).values;
    for (const [k, v] of [2 / 3, 0, 0, 0, 0, 1 / 3, 1 / 3, 0, 2 / 3].entries())
      expect(byPred[k]).toBeCloseTo(v, 12);
    const all = confusionMatrix(actual, predicted, 3, { normalize: 'all' }).values;
    for (const [k, v] of [2, 0, 0, 0, 0, 1, 1, 0, 2].entries()) expect(all[k]).toBeCloseTo(v / 6, 12);
  });

  it('gives zeros for empty input under every normalisation', () => {
    for (const normalize of CONFUSION_NORMALIZATIONS) {
      expect([...confusionMatrix([], [], 2, { normalize }).values]).toEqual([0, 0, 0, 0]);
    }
  });

  it('formats a readable table', () => {
    const text = formatConfusionMatrix(confusionMatrix(actual, predicted, 3), ['ant', 'bird', 'cat']);
    expect(text).toBe(
      [
        'actual \\ predicted  ant  bird  cat',
        'ant                   2     0    0',
        'bird                  0     0    1',
        'cat                   1     0    2',
        '',
      ].join('\n'),
    );
    const normalised = formatConfusionMatrix(
      confusionMatrix(actual, predicted, 3, { normalize: 'true' }),
      ['a', 'b', 'c'],
      {
        digits: 1,
      },
    );
    expect(normalised.split('\n')[3]).toBe('c                   0.3  0.0  0.7');
  });

  it('rejects bad arguments', () => {
    expect(() => confusionMatrix([0], [1, 1], 2)).toThrow(
      'Error in confusionMatrix: predicted must be of length 1',
    );
    expect(() => confusionMatrix([0], [0], 2, { normalize: 'rows' as never })).toThrow(
      "options.normalize must be one of 'none', 'true', 'pred', 'all', got \"rows\"",
    );
    expect(() => formatConfusionMatrix(confusionMatrix([0], [0], 2), ['a'])).toThrow(
      'Error in formatConfusionMatrix: classes must be an array of 2 class names',
    );
    expect(() => formatConfusionMatrix({} as never, ['a'])).toThrow('matrix must be a ConfusionMatrix');
  });
});
