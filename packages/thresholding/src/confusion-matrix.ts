import { checkInteger, checkOneOf, checkOptions, InvalidArgumentError, isNumericArrayLike } from '@topk/core';
import { checkClassIndices } from './validate.js';

/**
 * How a confusion matrix is normalised, as scikit-learn's `normalize`: `'true'` divides each row (true
 * class) by its total, so the diagonal is per-class recall (fastai's `normalize=True`); `'pred'` divides
 * each column (predicted class), so the diagonal is per-class precision; `'all'` divides by the number of
 * rows. Rows or columns without any sample stay 0.
 */
export type ConfusionNormalization = 'none' | 'true' | 'pred' | 'all';

/** The normalisations {@link confusionMatrix} accepts. */
export const CONFUSION_NORMALIZATIONS: readonly ConfusionNormalization[] = Object.freeze([
  'none',
  'true',
  'pred',
  'all',
]);

/** Options of {@link confusionMatrix}. */
export interface ConfusionMatrixOptions {
  /**
   * Normalisation of the counts.
   * @defaultValue 'none'
   */
  readonly normalize?: ConfusionNormalization;
}

/** A confusion matrix: entry `(a, p)` counts rows of true class `a` predicted as class `p`. */
export interface ConfusionMatrix {
  readonly numClasses: number;
  readonly normalize: ConfusionNormalization;
  /** Row-major `numClasses × numClasses`: row = true class, column = predicted class (scikit-learn's layout). */
  readonly values: Float64Array;
}

/**
 * Confusion matrix of single-label predictions, raw or normalised.
 *
 * @param actual - the true class index of each row.
 * @param predicted - the predicted class index of each row (e.g. {@link predictedClasses}).
 * @param numClasses - number of classes.
 */
export function confusionMatrix(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  numClasses: number,
  options: ConfusionMatrixOptions = {},
): ConfusionMatrix {
  const fn = 'confusionMatrix';
  checkInteger(fn, 'numClasses', numClasses, 1);
  if (!isNumericArrayLike(actual))
    throw new InvalidArgumentError(fn, 'actual', 'an array of class indices', actual);
  const n = actual.length;
  checkClassIndices(fn, 'actual', actual, n, numClasses);
  checkClassIndices(fn, 'predicted', predicted, n, numClasses);
  const { normalize = 'none' } = checkOptions<ConfusionMatrixOptions>(fn, options);
  checkOneOf(fn, 'options.normalize', normalize, CONFUSION_NORMALIZATIONS);
  const c = numClasses;
  const values = new Float64Array(c * c);
  for (let i = 0; i < n; i++) values[actual[i]! * c + predicted[i]!]!++;
  if (normalize === 'true' || normalize === 'pred') {
    for (let a = 0; a < c; a++) {
      let total = 0;
      for (let b = 0; b < c; b++) total += normalize === 'true' ? values[a * c + b]! : values[b * c + a]!;
      if (total === 0) continue;
      for (let b = 0; b < c; b++) {
        const k = normalize === 'true' ? a * c + b : b * c + a;
        values[k] = values[k]! / total;
      }
    }
  } else if (normalize === 'all' && n > 0) {
    for (let k = 0; k < values.length; k++) values[k] = values[k]! / n;
  }
  return { numClasses: c, normalize, values };
}

/** Options of {@link formatConfusionMatrix}. */
export interface FormatConfusionMatrixOptions {
  /**
   * Digits after the decimal point for normalised matrices (raw counts print as integers).
   * @defaultValue 2
   */
  readonly digits?: number;
}

/**
 * A plain-text table of a confusion matrix: one line per true class, one column per predicted class,
 * headed by the class names, for terminals and logs.
 *
 * @param matrix - from {@link confusionMatrix}.
 * @param classes - class names, `matrix.numClasses` of them.
 */
export function formatConfusionMatrix(
  matrix: ConfusionMatrix,
  classes: readonly string[],
  options: FormatConfusionMatrixOptions = {},
): string {
  const fn = 'formatConfusionMatrix';
  const m = matrix as Partial<ConfusionMatrix> | null;
  if (
    typeof m !== 'object' ||
    m === null ||
    typeof m.numClasses !== 'number' ||
    !(m.values instanceof Float64Array) ||
    m.values.length !== m.numClasses * m.numClasses
  ) {
    throw new InvalidArgumentError(fn, 'matrix', 'a ConfusionMatrix from confusionMatrix', matrix);
  }
  const c = m.numClasses;
  if (!Array.isArray(classes) || classes.length !== c || !classes.every((x) => typeof x === 'string')) {
    throw new InvalidArgumentError(fn, 'classes', `an array of ${c} class names`, classes);
  }
  const { digits = 2 } = checkOptions<FormatConfusionMatrixOptions>(fn, options);
  checkInteger(fn, 'options.digits', digits, 0);
  const raw = m.normalize === 'none';
  const cell = (v: number): string => (raw ? String(v) : v.toFixed(digits));
  const corner = 'actual \\ predicted';
  const nameWidth = Math.max(corner.length, ...classes.map((x) => x.length));
  const widths = classes.map((name, b) => {
    let w = name.length;
    for (let a = 0; a < c; a++) w = Math.max(w, cell(m.values![a * c + b]!).length);
    return w;
  });
  const lines = [
    [corner.padEnd(nameWidth), ...classes.map((name, b) => name.padStart(widths[b]!))].join('  '),
  ];
  for (let a = 0; a < c; a++) {
    const cells = classes.map((_, b) => cell(m.values![a * c + b]!).padStart(widths[b]!));
    lines.push([classes[a]!.padEnd(nameWidth), ...cells].join('  '));
  }
  return `${lines.join('\n')}\n`;
}
