import { checkInteger, InvalidArgumentError, isNumericArrayLike } from '@topk/core';
import { checkClassIndices, checkMultiHot } from './validate.js';

/**
 * Per-class counts of true positives, false positives and false negatives: everything precision, recall,
 * F1 and the classification report need. Build one with {@link countOutcomes} (single-label) or
 * {@link countMultiLabelOutcomes} (multi-label).
 */
export interface ClassOutcomes {
  /** Number of classes; every array below has this length. */
  readonly numClasses: number;
  /** Whether the counts come from multi-label decisions (a row may hold several classes, or none). */
  readonly multiLabel: boolean;
  /** Number of rows counted. */
  readonly samples: number;
  /** Rows where the class is both true and predicted. */
  readonly truePositives: Float64Array;
  /** Rows where the class is predicted but not true. */
  readonly falsePositives: Float64Array;
  /** Rows where the class is true but not predicted. */
  readonly falseNegatives: Float64Array;
}

/**
 * Counts outcomes of single-label predictions, e.g. `countOutcomes(labels, predictedClasses(table), C)`.
 *
 * @param actual - the true class index of each row.
 * @param predicted - the predicted class index of each row.
 * @param numClasses - number of classes; indices must be in [0, numClasses).
 */
export function countOutcomes(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  numClasses: number,
): ClassOutcomes {
  const fn = 'countOutcomes';
  checkInteger(fn, 'numClasses', numClasses, 1);
  if (!isNumericArrayLike(actual))
    throw new InvalidArgumentError(fn, 'actual', 'an array of class indices', actual);
  const n = actual.length;
  checkClassIndices(fn, 'actual', actual, n, numClasses);
  checkClassIndices(fn, 'predicted', predicted, n, numClasses);
  const tp = new Float64Array(numClasses);
  const fp = new Float64Array(numClasses);
  const fnCounts = new Float64Array(numClasses);
  for (let i = 0; i < n; i++) {
    const a = actual[i]!;
    const p = predicted[i]!;
    if (a === p) tp[a]!++;
    else {
      fp[p]!++;
      fnCounts[a]!++;
    }
  }
  return {
    numClasses,
    multiLabel: false,
    samples: n,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fnCounts,
  };
}

/**
 * Counts outcomes of multi-label decisions, e.g. `countMultiLabelOutcomes(targets, applyThresholds(table, t), C)`.
 *
 * @param actual - true labels, a row-major `rows × numClasses` 0/1 matrix (see {@link multiHot}).
 * @param predicted - decisions in the same layout.
 * @param numClasses - number of classes (columns).
 */
export function countMultiLabelOutcomes(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  numClasses: number,
): ClassOutcomes {
  const fn = 'countMultiLabelOutcomes';
  checkInteger(fn, 'numClasses', numClasses, 1);
  if (!isNumericArrayLike(actual)) {
    throw new InvalidArgumentError(fn, 'actual', 'a multi-hot array of 0/1 values (rows × classes)', actual);
  }
  if (actual.length % numClasses !== 0) {
    throw new InvalidArgumentError(
      fn,
      'actual',
      `of a length that is a multiple of numClasses (${numClasses})`,
      actual,
    );
  }
  const rows = actual.length / numClasses;
  const y = checkMultiHot(fn, 'actual', actual, rows, numClasses);
  const d = checkMultiHot(fn, 'predicted', predicted, rows, numClasses);
  const tp = new Float64Array(numClasses);
  const fp = new Float64Array(numClasses);
  const fnCounts = new Float64Array(numClasses);
  for (let k = 0; k < y.length; k++) {
    const j = k % numClasses;
    if (d[k]) {
      if (y[k]) tp[j]!++;
      else fp[j]!++;
    } else if (y[k]) fnCounts[j]!++;
  }
  return {
    numClasses,
    multiLabel: true,
    samples: rows,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fnCounts,
  };
}
