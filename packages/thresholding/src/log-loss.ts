import type { PredictionTable } from '@topk/core';
import { checkOptions, InvalidArgumentError } from '@topk/core';
import { checkClassIndices, checkMultiHot, checkNonEmptyTable } from './validate.js';

/** Options of {@link logLoss} and {@link binaryLogLoss}. */
export interface LogLossOptions {
  /**
   * Probabilities are clipped to `[eps, 1 - eps]` so a confident mistake costs `-log(eps)` rather than
   * infinity (scikit-learn's historical default).
   * @defaultValue 1e-15
   */
  readonly eps?: number;
}

function epsOf(fn: string, options: unknown): number {
  const { eps = 1e-15 } = checkOptions<LogLossOptions>(fn, options);
  if (typeof eps !== 'number' || !(eps > 0 && eps < 0.5)) {
    throw new InvalidArgumentError(fn, 'options.eps', 'a number in (0, 0.5)', eps);
  }
  return eps;
}

/**
 * Categorical cross-entropy of single-label predictions: the mean over rows of `-log p(true class)`.
 * Rows are used as given (not renormalised).
 *
 * @param table - predictions, at least one row.
 * @param labels - the true class index of each row.
 */
export function logLoss(
  table: PredictionTable,
  labels: ArrayLike<number>,
  options: LogLossOptions = {},
): number {
  const fn = 'logLoss';
  checkNonEmptyTable(fn, 'table', table);
  const n = table.ids.length;
  const c = table.classes.length;
  checkClassIndices(fn, 'labels', labels, n, c);
  const eps = epsOf(fn, options);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const p = table.probs[i * c + labels[i]!]!;
    total -= Math.log(Math.min(Math.max(p, eps), 1 - eps));
  }
  return total / n;
}

/**
 * Binary cross-entropy of multi-label predictions: the mean over every row and class of
 * `-(y log p + (1 - y) log(1 - p))`, the loss multi-label models train with.
 *
 * @param table - predictions, at least one row.
 * @param targets - row-major `rows × classes` 0/1 matrix (see {@link multiHot}).
 */
export function binaryLogLoss(
  table: PredictionTable,
  targets: ArrayLike<number>,
  options: LogLossOptions = {},
): number {
  const fn = 'binaryLogLoss';
  checkNonEmptyTable(fn, 'table', table);
  const y = checkMultiHot(fn, 'targets', targets, table.ids.length, table.classes.length);
  const eps = epsOf(fn, options);
  let total = 0;
  for (let k = 0; k < y.length; k++) {
    const p = Math.min(Math.max(table.probs[k]!, eps), 1 - eps);
    total -= y[k] ? Math.log(p) : Math.log(1 - p);
  }
  return total / y.length;
}
