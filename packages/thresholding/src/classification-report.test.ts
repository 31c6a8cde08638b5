import { describe, expect, it } from 'vitest';
import { countMultiLabelOutcomes, countOutcomes } from './class-outcomes.js';
import { classificationReport, formatClassificationReport } from './classification-report.js';

describe('classificationReport', () => {
  // sklearn.metrics.classification_report docstring:
  // y_true = [0, 1, 2, 2, 2], y_pred = [0, 0, 2, 2, 1], target_names = ['class 0', 'class 1', 'class 2']
  const outcomes = countOutcomes([0, 1, 2, 2, 2], [0, 0, 2, 2, 1], 3);
  const names = ['class 0', 'class 1', 'class 2'];

  it("prints exactly scikit-learn's docstring example", () => {
    const expected = [
      '              precision    recall  f1-score   support',
      '',
      '     class 0       0.50      1.00      0.67         1',
      '     class 1       0.00      0.00      0.00         1',
      '     class 2       1.00      0.67      0.80         3',
      '',
      '    accuracy                           0.60         5',
      '   macro avg       0.50      0.56      0.49         5',
      'weighted avg       0.70      0.60      0.61         5',
      '',
    ].join('\n');
    expect(formatClassificationReport(classificationReport(outcomes, names))).toBe(expected);
  });

  it('holds the same numbers as JSON', () => {
    const report = classificationReport(outcomes, names);
    expect(report.classes[0]).toEqual({ name: 'class 0', precision: 0.5, recall: 1, f1: 2 / 3, support: 1 });
    expect(report.accuracy).toBe(0.6);
    expect(report.microAvg).toBeUndefined();
    expect(report.macroAvg.recall).toBeCloseTo((1 + 0 + 2 / 3) / 3, 12);
    expect(report.weightedAvg.precision).toBeCloseTo((0.5 + 0 + 3) / 5, 12);
    expect(report.samples).toBe(5);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('widens the name column and honours digits', () => {
    const text = formatClassificationReport(
      classificationReport(countOutcomes([0, 1], [0, 1], 2), ['a much longer name', 'b']),
      {
        digits: 4,
      },
    );
    const lines = text.split('\n');
    expect(lines[2]).toBe('a much longer name     1.0000    1.0000    1.0000         1');
    expect(lines[5]).toBe('          accuracy                         1.0000         2');
  });

  it('shows a micro average instead of accuracy for multi-label outcomes', () => {
    // The multi-label f1_score docstring data: per-class F1 [2/3, 1, 2/3]; micro: tp 4, fp 1, fn 1 -> 0.8.
    const multi = countMultiLabelOutcomes([0, 0, 0, 1, 1, 1, 0, 1, 1], [0, 0, 0, 1, 1, 1, 1, 1, 0], 3);
    const report = classificationReport(multi, ['x', 'y', 'z']);
    expect(report.accuracy).toBeUndefined();
    expect(report.microAvg?.f1).toBeCloseTo(0.8, 12);
    const lines = formatClassificationReport(report).split('\n');
    expect(lines[6]).toBe('   micro avg       0.80      0.80      0.80         5');
    expect(lines[7]).toBe('   macro avg       0.83      0.83      0.78         5');
  });

  it('rejects a wrong number of class names', () => {
    expect(() => classificationReport(outcomes, ['a'])).toThrow(
      'Error in classificationReport: classes must be an array of 3 class names, got array of length 1',
    );
    expect(() => formatClassificationReport(null as never)).toThrow(
      'Error in formatClassificationReport: report',
    );
  });
});
