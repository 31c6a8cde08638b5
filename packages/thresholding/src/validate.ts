import type { PredictionTable } from '@topk/core';
import { checkPredictionTable, InvalidArgumentError, isNumericArrayLike } from '@topk/core';

// Boundary checks shared by this package's public functions (not exported from the package); the ones
// other packages share too (checkOptions, checkInteger, checkPredictionTable, ...) are in @topk/core.

export function checkNonEmptyTable(fn: string, argument: string, table: unknown): PredictionTable {
  const t = checkPredictionTable(fn, argument, table);
  if (t.ids.length === 0) {
    throw new InvalidArgumentError(
      fn,
      argument,
      'a table with at least one row (a mean over no rows is undefined)',
      'an empty table',
    );
  }
  return t;
}

/** Class indices: `length` integers in [0, numClasses). */
export function checkClassIndices(
  fn: string,
  argument: string,
  labels: unknown,
  length: number,
  numClasses: number,
): ArrayLike<number> {
  if (!isNumericArrayLike(labels)) {
    throw new InvalidArgumentError(fn, argument, 'an array of class indices', labels);
  }
  if (labels.length !== length) {
    throw new InvalidArgumentError(fn, argument, `of length ${length} (one class index per row)`, labels);
  }
  for (let i = 0; i < length; i++) {
    const c = labels[i];
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= numClasses) {
      throw new InvalidArgumentError(fn, `${argument}[${i}]`, `an integer in [0, ${numClasses})`, c);
    }
  }
  return labels;
}

/** A row-major `rows × numClasses` matrix of 0/1 values, returned as a Uint8Array (a copy unless it is one). */
export function checkMultiHot(
  fn: string,
  argument: string,
  values: unknown,
  rows: number,
  numClasses: number,
): Uint8Array {
  if (!isNumericArrayLike(values)) {
    throw new InvalidArgumentError(fn, argument, 'a multi-hot array of 0/1 values (rows × classes)', values);
  }
  const expected = rows * numClasses;
  if (values.length !== expected) {
    throw new InvalidArgumentError(
      fn,
      argument,
      `of length rows × classes = ${rows} × ${numClasses} = ${expected}`,
      values,
    );
  }
  for (let k = 0; k < expected; k++) {
    const v = values[k];
    if (v !== 0 && v !== 1) {
      throw new InvalidArgumentError(
        fn,
        `${argument}[${k}] (row ${Math.floor(k / numClasses)}, class ${k % numClasses})`,
        '0 or 1',
        v,
      );
    }
  }
  return values instanceof Uint8Array ? values : Uint8Array.from(values);
}

/**
 * Index of the largest value of `row` in [start, start + length); the first one on ties, as numpy's argmax.
 */
export function argmaxAt(values: ArrayLike<number>, start: number, length: number): number {
  let best = 0;
  let bestValue = values[start]!;
  for (let j = 1; j < length; j++) {
    const v = values[start + j]!;
    if (v > bestValue) {
      bestValue = v;
      best = j;
    }
  }
  return best;
}

/**
 * 1-based rank of class `target` in row `i`: classes with a higher probability come first and, among equal
 * probabilities, the lower index first (the same order as {@link argmaxAt}).
 */
export function rankOf(table: PredictionTable, i: number, target: number): number {
  const c = table.classes.length;
  const start = i * c;
  const p = table.probs[start + target]!;
  let rank = 1;
  for (let j = 0; j < c; j++) {
    const q = table.probs[start + j]!;
    if (q > p || (q === p && j < target)) rank++;
  }
  return rank;
}
