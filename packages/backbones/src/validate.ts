import { InvalidArgumentError } from '@topk/core';

/** A positive safe integer, or `fallback` when `value` is undefined. */
export function positiveInt(fn: string, argument: string, value: unknown, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(fn, argument, 'a positive integer', value);
  }
  return value;
}

/** A number in `[low, high)`, or `fallback` when `value` is undefined. */
export function numberInRange(
  fn: string,
  argument: string,
  value: unknown,
  low: number,
  high: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= low && value < high)) {
    throw new InvalidArgumentError(fn, argument, `a number in [${low}, ${high})`, value);
  }
  return value;
}

/** A finite number > 0, or `fallback` when `value` is undefined. */
export function positiveNumber(fn: string, argument: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(fn, argument, 'a finite number > 0', value);
  }
  return value;
}

/** A boolean, or `fallback` when `value` is undefined. */
export function bool(fn: string, argument: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(fn, argument, 'a boolean', value);
  return value;
}

/** A plain object (or undefined, read as `{}`) whose keys are all in `allowed`. */
export function optionsObject(
  fn: string,
  value: unknown,
  allowed: readonly string[],
): Readonly<Record<string, unknown>> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(fn, 'options', 'an object', value);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new InvalidArgumentError(
        fn,
        `options.${key}`,
        `one of the known options (${allowed.join(', ')})`,
        key,
      );
    }
  }
  return value as Readonly<Record<string, unknown>>;
}

/** Levenshtein edit distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
