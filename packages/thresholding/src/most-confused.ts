import type { PredictionTable } from '@topk/core';
import { checkInteger, checkOptions, checkPredictionTable } from '@topk/core';
import { argmaxAt, checkClassIndices } from './validate.js';

/** One entry of {@link mostConfused}. */
export interface ConfusedPair {
  /** The true class name. */
  readonly actual: string;
  /** The class it was predicted as. */
  readonly predicted: string;
  /** Rows of `actual` predicted as `predicted`. */
  readonly count: number;
}

/** Options of {@link mostConfused}. */
export interface MostConfusedOptions {
  /**
   * Smallest count to list.
   * @defaultValue 1
   */
  readonly minCount?: number;
}

/**
 * Off-diagonal cells of the confusion matrix, largest first (ties: by true class, then predicted class
 * index), as fastai's `ClassificationInterpretation.most_confused(min_val)`.
 *
 * @param table - single-label predictions; the prediction of a row is its most probable class.
 * @param labels - the true class index of each row.
 */
export function mostConfused(
  table: PredictionTable,
  labels: ArrayLike<number>,
  options: MostConfusedOptions = {},
): ConfusedPair[] {
  const fn = 'mostConfused';
  checkPredictionTable(fn, 'table', table);
  const n = table.ids.length;
  const c = table.classes.length;
  checkClassIndices(fn, 'labels', labels, n, c);
  const { minCount = 1 } = checkOptions<MostConfusedOptions>(fn, options);
  checkInteger(fn, 'options.minCount', minCount, 1);
  const cells = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const a = labels[i]!;
    const p = argmaxAt(table.probs, i * c, c);
    if (a !== p) cells.set(a * c + p, (cells.get(a * c + p) ?? 0) + 1);
  }
  return [...cells]
    .filter(([, count]) => count >= minCount)
    .sort(([ka, ca], [kb, cb]) => cb - ca || ka - kb)
    .map(([key, count]) => ({
      actual: table.classes[Math.floor(key / c)]!,
      predicted: table.classes[key % c]!,
      count,
    }));
}
