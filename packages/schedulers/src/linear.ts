import { makeSchedule, type Schedule } from './schedule.js';
import { checkNonNegative, checkOptions, checkPositive } from './validate.js';

/** Options of {@link linear}. */
export interface LinearOptions {
  /** Learning rate at step 0. */
  readonly startLr: number;
  /** Learning rate from `totalSteps` on. */
  readonly endLr: number;
  /** Length of the ramp in steps. */
  readonly totalSteps: number;
}

/** Config of {@link linear}. */
export interface LinearConfig {
  readonly type: 'linear';
  readonly startLr: number;
  readonly endLr: number;
  readonly totalSteps: number;
}

/**
 * Straight line from `startLr` to `endLr` over `totalSteps`, then flat (fastai's `SchedLin`); up or down.
 * The usual warmup phase inside {@link combineSchedules}.
 *
 * @example
 * ```ts
 * const warmup = linear({ startLr: 0, endLr: 1e-3, totalSteps: 500 });
 * ```
 */
export function linear(options: LinearOptions): Schedule<LinearConfig> {
  const fn = 'linear';
  checkOptions(fn, options);
  const startLr = checkNonNegative(fn, 'startLr', options.startLr);
  const endLr = checkNonNegative(fn, 'endLr', options.endLr);
  const totalSteps = checkPositive(fn, 'totalSteps', options.totalSteps);
  return makeSchedule(fn, { type: 'linear', startLr, endLr, totalSteps }, (step) => {
    return startLr + ((endLr - startLr) * Math.min(step, totalSteps)) / totalSteps;
  });
}
