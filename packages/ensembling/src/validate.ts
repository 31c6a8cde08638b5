import { InvalidArgumentError, isNumericArrayLike } from '@topk/core';

// Boundary checks shared by this package's public functions (not exported from the package); the ones
// other packages share too (checkOptions, checkInteger, checkPredictionTable, ...) are in @topk/core.

/**
 * Non-negative finite weights with a positive sum, one per model, normalised to sum to 1; equal weights when
 * `weights` is undefined.
 */
export function normalizedWeights(
  fn: string,
  argument: string,
  weights: unknown,
  count: number,
): Float64Array {
  if (weights === undefined) return new Float64Array(count).fill(1 / count);
  if (!isNumericArrayLike(weights) || weights.length !== count) {
    throw new InvalidArgumentError(fn, argument, `an array of ${count} weights (one per model)`, weights);
  }
  let total = 0;
  for (let m = 0; m < count; m++) {
    const w = weights[m];
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
      throw new InvalidArgumentError(fn, `${argument}[${m}]`, 'a finite number >= 0', w);
    }
    total += w;
  }
  if (!(total > 0) || !Number.isFinite(total)) {
    throw new InvalidArgumentError(fn, argument, 'weights with a positive finite sum', weights);
  }
  return Float64Array.from({ length: count }, (_, m) => weights[m]! / total);
}

/** Index of the largest value in [start, start + length), the first on ties (numpy's argmax). */
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

/** `"a", "b", "c" and 4 more`: a short list of names for error messages. */
export function listNames(names: readonly string[], max = 3): string {
  const shown = names.slice(0, max).map((name) => JSON.stringify(name));
  return names.length > max ? `${shown.join(', ')} and ${names.length - max} more` : shown.join(', ');
}

/** Describes how two sets of names differ ("missing …; unexpected …"), or '' when they are equal. */
export function describeNameMismatch(expected: readonly string[], actual: readonly string[]): string {
  const have = new Set(actual);
  const want = new Set(expected);
  const missing = expected.filter((name) => !have.has(name));
  const extra = actual.filter((name) => !want.has(name));
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`missing ${listNames(missing)}`);
  if (extra.length > 0) parts.push(`unexpected ${listNames(extra)}`);
  return parts.join('; ');
}
