import type { PredictionTable } from '@topk/core';
import { checkInteger, checkOptions, checkPredictionTable } from '@topk/core';
import { float32Number } from './float32-text.js';
import { argmaxAt, checkClassIndices } from './validate.js';

/** One row of {@link topLosses}. */
export interface TopLoss {
  /** Row index in the table. */
  readonly row: number;
  readonly id: string;
  /** The label (true class name). */
  readonly actual: string;
  /** The most probable class name. */
  readonly predicted: string;
  /** Probability given to the label. */
  readonly actualProbability: number;
  /** Probability of the predicted class. */
  readonly predictedProbability: number;
  /** Cross-entropy of the row, `-log(max(actualProbability, 1e-15))`. */
  readonly loss: number;
}

/** Options of {@link topLosses}. */
export interface TopLossesOptions {
  /**
   * How many rows to return (all rows when larger than the table).
   * @defaultValue 10
   */
  readonly k?: number;
}

/**
 * The rows the model gets most wrong: highest cross-entropy first (ties by row order), as fastai's
 * `ClassificationInterpretation.top_losses`. Review them for label noise and hard cases.
 *
 * @param table - single-label predictions.
 * @param labels - the true class index of each row.
 */
export function topLosses(
  table: PredictionTable,
  labels: ArrayLike<number>,
  options: TopLossesOptions = {},
): TopLoss[] {
  const fn = 'topLosses';
  checkPredictionTable(fn, 'table', table);
  const n = table.ids.length;
  const c = table.classes.length;
  checkClassIndices(fn, 'labels', labels, n, c);
  const { k = 10 } = checkOptions<TopLossesOptions>(fn, options);
  checkInteger(fn, 'options.k', k, 0);
  const losses = Float64Array.from(
    { length: n },
    (_, i) => -Math.log(Math.max(table.probs[i * c + labels[i]!]!, 1e-15)),
  );
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => losses[b]! - losses[a]! || a - b);
  return order.slice(0, k).map((i) => {
    const predicted = argmaxAt(table.probs, i * c, c);
    const actual = labels[i]!;
    return {
      row: i,
      id: table.ids[i]!,
      actual: table.classes[actual]!,
      predicted: table.classes[predicted]!,
      actualProbability: float32Number(table.probs[i * c + actual]!),
      predictedProbability: float32Number(table.probs[i * c + predicted]!),
      loss: losses[i]!,
    };
  });
}
