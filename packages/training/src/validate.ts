import { InvalidArgumentError } from '@topk/core';

/** The checks every package shares live in `@topk/core`. */
export { checkBoolean, checkNonNegative, checkOneOf, checkPositive, checkPositiveInteger } from '@topk/core';

/** Internal argument checks; each throws an {@link InvalidArgumentError} naming the function and argument. */

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function checkOptions(fn: string, options: unknown, argument = 'options'): void {
  if (!isPlainObject(options)) throw new InvalidArgumentError(fn, argument, 'an object', options);
}

export function checkFinite(fn: string, argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidArgumentError(fn, argument, 'a finite number', value);
  }
  return value;
}

/** A number in [low, high) (or [low, high] with `closed`). */
export function checkInRange(
  fn: string,
  argument: string,
  value: unknown,
  low: number,
  high: number,
  closed = false,
): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= low &&
    (closed ? value <= high : value < high);
  if (!ok) throw new InvalidArgumentError(fn, argument, `in [${low}, ${high}${closed ? ']' : ')'}`, value);
  return value as number;
}

export function checkNonNegativeInteger(fn: string, argument: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new InvalidArgumentError(fn, argument, 'a non-negative integer', value);
  }
  return value as number;
}

export function checkString(fn: string, argument: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidArgumentError(fn, argument, 'a non-empty string', value);
  }
  return value;
}

export function checkFunction<F>(fn: string, argument: string, value: unknown): F {
  if (typeof value !== 'function') throw new InvalidArgumentError(fn, argument, 'a function', value);
  return value as F;
}
