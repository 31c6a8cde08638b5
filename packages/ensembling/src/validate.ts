import type { PredictionTable } from '@topk/core';
import { InvalidArgumentError } from '@topk/core';

// Boundary checks shared by this package's public functions (not exported from the package).

export function isNumericArrayLike(value: unknown): value is ArrayLike<number> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

export function checkTable(fn: string, argument: string, table: unknown): PredictionTable {
  const t = table as Partial<PredictionTable> | null;
  if (
    typeof t !== 'object' ||
    t === null ||
    !Array.isArray(t.ids) ||
    !Array.isArray(t.classes) ||
    t.classes.length === 0 ||
    !(t.probs instanceof Float32Array) ||
    t.probs.length !== t.ids.length * t.classes.length
  ) {
    throw new InvalidArgumentError(fn, argument, 'a PredictionTable (see createPredictionTable)', table);
  }
  return t as PredictionTable;
}

export function checkOptions<T extends object>(fn: string, options: unknown): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(fn, 'options', 'an object', options);
  }
  return options as T;
}

export function checkInteger(fn: string, argument: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidArgumentError(fn, argument, `an integer >= ${min}`, value);
  }
  return value;
}

export function checkNumber(fn: string, argument: string, value: unknown, low: number, high: number): number {
  if (typeof value !== 'number' || !(value >= low && value <= high)) {
    throw new InvalidArgumentError(fn, argument, `a number in [${low}, ${high}]`, value);
  }
  return value;
}

export function checkOneOf<T extends string>(
  fn: string,
  argument: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(fn, argument, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}

export function checkBoolean(fn: string, argument: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidArgumentError(fn, argument, 'a boolean', value);
  return value;
}

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
