import type { PredictionTable } from '@topk/core';
import {
  checkOneOf,
  checkOptions,
  checkPredictionTable,
  createPredictionTable,
  InvalidArgumentError,
} from '@topk/core';

/** How {@link aggregatePredictions} merges the rows of a group. */
export type AggregationMethod = 'mean' | 'geometric-mean' | 'harmonic-mean' | 'max';

/** Every {@link AggregationMethod}. */
export const AGGREGATION_METHODS: readonly AggregationMethod[] = Object.freeze([
  'mean',
  'geometric-mean',
  'harmonic-mean',
  'max',
]);

/** Options of {@link aggregatePredictions}. */
export interface AggregatePredictionsOptions {
  /**
   * The group of each row: an array with one group id per row, or a function of the row's id and index,
   * e.g. `(id) => id.split('#')[0]` for TTA rows named `img#0`, `img#1`, … or the product id of an image.
   */
  readonly groups: readonly string[] | ((id: string, row: number) => string);
  /**
   * How the rows of a group are merged, column by column.
   * @defaultValue 'mean'
   */
  readonly method?: AggregationMethod;
}

/**
 * One row per group from several rows per item: the predictions of the TTA views of an image, or of the
 * 1–4 images of a Cdiscount product ("averaging the predictions for them and getting a result for one
 * product based on multiple images"). Groups come out in order of first appearance, with their group id as
 * the row id.
 *
 * TTA views kept as separate tables (one per view, same ids) are combined with {@link combinePredictions}
 * instead.
 *
 * @param table - the predictions, several rows per group.
 */
export function aggregatePredictions(
  table: PredictionTable,
  options: AggregatePredictionsOptions,
): PredictionTable {
  const fn = 'aggregatePredictions';
  checkPredictionTable(fn, 'table', table);
  const { groups, method = 'mean' } = checkOptions<AggregatePredictionsOptions>(fn, options);
  checkOneOf(fn, 'options.method', method, AGGREGATION_METHODS);
  const n = table.ids.length;
  const c = table.classes.length;
  let groupOf: (row: number) => unknown;
  if (typeof groups === 'function') {
    groupOf = (row) => groups(table.ids[row]!, row);
  } else if (Array.isArray(groups as unknown) && groups.length === n) {
    groupOf = (row) => groups[row];
  } else {
    throw new InvalidArgumentError(
      fn,
      'options.groups',
      `an array of ${n} group ids or a function of (id, row)`,
      groups,
    );
  }
  const index = new Map<string, number>();
  const rowGroup = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const group = groupOf(i);
    if (typeof group !== 'string' || group.length === 0) {
      throw new InvalidArgumentError(
        fn,
        `options.groups (row ${i}, id ${JSON.stringify(table.ids[i])})`,
        'a non-empty string',
        group,
      );
    }
    let g = index.get(group);
    if (g === undefined) {
      g = index.size;
      index.set(group, g);
    }
    rowGroup[i] = g;
  }
  const g = index.size;
  const sums = new Float64Array(g * c).fill(method === 'max' ? Number.NEGATIVE_INFINITY : 0);
  const counts = new Float64Array(g);
  for (let i = 0; i < n; i++) {
    const out = rowGroup[i]! * c;
    counts[rowGroup[i]!]!++;
    for (let j = 0; j < c; j++) {
      const p = table.probs[i * c + j]!;
      const k = out + j;
      if (method === 'max') sums[k] = Math.max(sums[k]!, p);
      else if (method === 'mean') sums[k] = sums[k]! + p;
      else if (method === 'geometric-mean') sums[k] = sums[k]! + Math.log(p);
      else sums[k] = sums[k]! + 1 / p;
    }
  }
  const probs = new Float32Array(g * c);
  for (let k = 0; k < probs.length; k++) {
    const count = counts[Math.floor(k / c)]!;
    const s = sums[k]!;
    const p =
      method === 'max'
        ? s
        : method === 'mean'
          ? s / count
          : method === 'geometric-mean'
            ? Math.exp(s / count)
            : count / s;
    probs[k] = Math.min(1, Math.max(0, p));
  }
  return createPredictionTable([...index.keys()], table.classes, probs);
}
