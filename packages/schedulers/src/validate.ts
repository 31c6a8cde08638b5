import { InvalidArgumentError } from '@topk/core';

// Argument checks shared by the schedule factories. Each throws an InvalidArgumentError that names the
// factory and the option, so a bad value in a saved config points at the field to fix.

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function checkNonNegative(fn: string, argument: string, value: unknown): number {
  if (!isFiniteNumber(value) || value < 0) {
    throw new InvalidArgumentError(fn, argument, 'a finite number >= 0', value);
  }
  return value;
}

export function checkPositive(fn: string, argument: string, value: unknown): number {
  if (!isFiniteNumber(value) || value <= 0) {
    throw new InvalidArgumentError(fn, argument, 'a finite number > 0', value);
  }
  return value;
}

export function checkPositiveInteger(fn: string, argument: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw new InvalidArgumentError(fn, argument, 'a positive integer', value);
  }
  return value as number;
}

export function checkInRange(
  fn: string,
  argument: string,
  value: unknown,
  low: number,
  high: number,
  includeHigh: boolean,
): number {
  const ok = isFiniteNumber(value) && value >= low && (includeHigh ? value <= high : value < high);
  if (!ok) {
    throw new InvalidArgumentError(fn, argument, `in [${low}, ${high}${includeHigh ? ']' : ')'}`, value);
  }
  return value;
}

export function checkOptions(fn: string, options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(fn, 'options', 'an object', options);
  }
}

/** The step a schedule is evaluated at: fractional steps are allowed (per-epoch schedules use them). */
export function checkStep(fn: string, step: unknown): number {
  if (!isFiniteNumber(step) || step < 0) {
    throw new InvalidArgumentError(fn, 'step', 'a finite number >= 0', step);
  }
  return step;
}
