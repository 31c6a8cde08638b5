import type { PredictionTable } from '@topk/core';
import { checkInteger, InvalidArgumentError } from '@topk/core';
import { checkClassIndices, checkNonEmptyTable, rankOf } from './validate.js';

/**
 * Average precision at `k` of one ranked list (the `apk` of Ben Hamner's `ml_metrics`, the definition
 * behind Kaggle's MAP@k): the sum of precision@i over the ranks i ≤ k that hold a relevant item, divided by
 * `min(numRelevant, k)`. With a single relevant item it is `1 / rank` when that rank is ≤ k, else 0; with
 * `k = numRelevant = R` it is the AP of MAP@R (Musgrave et al., "A Metric Learning Reality Check", 2020).
 *
 * @param relevance - per rank (best first), whether the item there is relevant (truthy) or not; only the
 *   first `k` entries are read, and missing ranks count as not relevant.
 * @param numRelevant - how many relevant items exist in total (retrieved or not); 0 gives 0.
 * @param k - cut-off rank, at least 1.
 */
export function averagePrecisionAtK(
  relevance: ArrayLike<number | boolean>,
  numRelevant: number,
  k: number,
): number {
  const fn = 'averagePrecisionAtK';
  if (!Array.isArray(relevance) && !(ArrayBuffer.isView(relevance) && !(relevance instanceof DataView))) {
    throw new InvalidArgumentError(fn, 'relevance', 'an array of relevance flags in rank order', relevance);
  }
  checkInteger(fn, 'numRelevant', numRelevant, 0);
  checkInteger(fn, 'k', k, 1);
  if (numRelevant === 0) return 0;
  const end = Math.min(k, relevance.length);
  let hits = 0;
  let sum = 0;
  for (let i = 0; i < end; i++) {
    if (relevance[i]) {
      hits++;
      sum += hits / (i + 1);
    }
  }
  if (hits > numRelevant) {
    throw new InvalidArgumentError(
      fn,
      'numRelevant',
      `at least the ${hits} relevant items in the list`,
      numRelevant,
    );
  }
  return sum / Math.min(numRelevant, k);
}

/**
 * MAP@k of single-label predictions, the metric of Kaggle's humpback-whale challenge (MAP@5): each row
 * scores `1 / rank` of its true class when that rank is ≤ k, else 0, and rows are averaged. Ranks follow
 * {@link topKAccuracy} (ties: lower class index first).
 *
 * @param table - predictions, at least one row.
 * @param labels - the true class index of each row.
 * @param k - cut-off rank, at least 1; defaults to 5.
 */
export function meanAveragePrecisionAtK(table: PredictionTable, labels: ArrayLike<number>, k = 5): number {
  const fn = 'meanAveragePrecisionAtK';
  checkNonEmptyTable(fn, 'table', table);
  const n = table.ids.length;
  checkClassIndices(fn, 'labels', labels, n, table.classes.length);
  checkInteger(fn, 'k', k, 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const rank = rankOf(table, i, labels[i]!);
    if (rank <= k) total += 1 / rank;
  }
  return total / n;
}
