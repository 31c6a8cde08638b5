import { InvalidArgumentError, isFiniteNumber } from '@topk/core';

/** The checks every package shares live in `@topk/core`. */
export { checkNonNegative, checkPositive, checkPositiveInteger, isFiniteNumber } from '@topk/core';

// Argument checks shared by the schedule factories. Each throws an InvalidArgumentError that names the
// factory and the option, so a bad value in a saved config points at the field to fix.

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
