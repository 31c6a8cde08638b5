import type { PredictionTable } from '@topk/core';
import { checkInteger } from '@topk/core';
import { argmaxAt, checkClassIndices, checkNonEmptyTable, rankOf } from './validate.js';

/**
 * Fraction of rows whose most probable class (first one on ties) is the label.
 *
 * @param table - predictions, at least one row.
 * @param labels - the true class index of each row.
 */
export function accuracy(table: PredictionTable, labels: ArrayLike<number>): number {
  const fn = 'accuracy';
  checkNonEmptyTable(fn, 'table', table);
  const n = table.ids.length;
  const c = table.classes.length;
  checkClassIndices(fn, 'labels', labels, n, c);
  let correct = 0;
  for (let i = 0; i < n; i++) if (argmaxAt(table.probs, i * c, c) === labels[i]) correct++;
  return correct / n;
}

/**
 * Fraction of rows whose label is among the `k` most probable classes.
 *
 * Ties are ranked by class index (lower first), the order {@link predictedClasses} uses, so `k = 1` equals
 * {@link accuracy}. scikit-learn's `top_k_accuracy_score` ranks tied scores the other way round (higher
 * index first); the two agree whenever the probabilities around rank `k` are distinct.
 *
 * @param table - predictions, at least one row.
 * @param labels - the true class index of each row.
 * @param k - how many top classes count as a hit; at least 1 (values above the number of classes give 1).
 */
export function topKAccuracy(table: PredictionTable, labels: ArrayLike<number>, k: number): number {
  const fn = 'topKAccuracy';
  checkNonEmptyTable(fn, 'table', table);
  const n = table.ids.length;
  checkClassIndices(fn, 'labels', labels, n, table.classes.length);
  checkInteger(fn, 'k', k, 1);
  let hits = 0;
  for (let i = 0; i < n; i++) if (rankOf(table, i, labels[i]!) <= k) hits++;
  return hits / n;
}
