import { InvalidArgumentError } from './errors.js';
import type { PredictionTable } from './types.js';

// Boundary checks for public functions of the topk packages. Each returns the checked value (typed) or
// throws an InvalidArgumentError naming the function and the argument; the messages are part of the
// packages' tested behaviour, so change them only together with those tests.

/** Whether `value` is an array or a typed array (not a DataView): something with `length` and numeric indices. */
export function isNumericArrayLike(value: unknown): value is ArrayLike<number> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/**
 * Checks that `table` has the shape of a {@link PredictionTable} (ids and classes arrays, at least one
 * class, a Float32Array of `ids × classes` probabilities). Its values are not checked again:
 * `createPredictionTable` checked them when it built the table.
 *
 * @param fn - the public function, for the message.
 * @param argument - the argument's name, for the message.
 */
export function checkPredictionTable(fn: string, argument: string, table: unknown): PredictionTable {
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

/**
 * Checks an options argument: `undefined` becomes `{}`; anything but a non-array object is rejected.
 * The fields are the caller's to check.
 *
 * @param fn - the public function, for the message.
 */
export function checkOptions<T extends object>(fn: string, options: unknown): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(fn, 'options', 'an object', options);
  }
  return options as T;
}

/**
 * Checks that `value` is a safe integer of at least `min`.
 *
 * @param fn - the public function, for the message.
 * @param argument - the argument's name, for the message.
 */
export function checkInteger(fn: string, argument: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidArgumentError(fn, argument, `an integer >= ${min}`, value);
  }
  return value;
}

/**
 * Checks that `value` is a number in the closed range [`low`, `high`] (NaN is not).
 *
 * @param fn - the public function, for the message.
 * @param argument - the argument's name, for the message.
 */
export function checkNumber(fn: string, argument: string, value: unknown, low: number, high: number): number {
  if (typeof value !== 'number' || !(value >= low && value <= high)) {
    throw new InvalidArgumentError(fn, argument, `a number in [${low}, ${high}]`, value);
  }
  return value;
}

/**
 * Checks that `value` is one of the `allowed` strings.
 *
 * @param fn - the public function, for the message.
 * @param argument - the argument's name, for the message.
 */
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

/**
 * Checks that `value` is a boolean.
 *
 * @param fn - the public function, for the message.
 * @param argument - the argument's name, for the message.
 */
export function checkBoolean(fn: string, argument: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidArgumentError(fn, argument, 'a boolean', value);
  return value;
}

/** Whether `value` is a finite number (not NaN, not ±Infinity). */
export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Checks that `value` is a finite number > 0. */
export function checkPositive(fn: string, argument: string, value: unknown): number {
  if (!isFiniteNumber(value) || value <= 0) {
    throw new InvalidArgumentError(fn, argument, 'a finite number > 0', value);
  }
  return value;
}

/** Checks that `value` is a finite number >= 0. */
export function checkNonNegative(fn: string, argument: string, value: unknown): number {
  if (!isFiniteNumber(value) || value < 0) {
    throw new InvalidArgumentError(fn, argument, 'a finite number >= 0', value);
  }
  return value;
}

/** Checks that `value` is a safe integer >= 1. */
export function checkPositiveInteger(fn: string, argument: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw new InvalidArgumentError(fn, argument, 'a positive integer', value);
  }
  return value as number;
}
