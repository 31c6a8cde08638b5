import { makeSchedule, type Schedule } from './schedule.js';
import { checkNonNegative, checkOptions } from './validate.js';

/** Options of {@link constant}. */
export interface ConstantOptions {
  /** The learning rate at every step. */
  readonly lr: number;
}

/** Config of {@link constant}. */
export interface ConstantConfig {
  readonly type: 'constant';
  readonly lr: number;
}

/**
 * The same learning rate at every step.
 *
 * @example
 * ```ts
 * const schedule = constant({ lr: 1e-3 });
 * schedule(500); // 0.001
 * ```
 */
export function constant(options: ConstantOptions): Schedule<ConstantConfig> {
  const fn = 'constant';
  checkOptions(fn, options);
  const lr = checkNonNegative(fn, 'lr', options.lr);
  return makeSchedule(fn, { type: 'constant', lr }, () => lr);
}
