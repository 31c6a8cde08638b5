import { makeSchedule, type Schedule } from './schedule.js';
import { checkNonNegative, checkOptions, checkPositive } from './validate.js';

/** Options of {@link exponentialDecay}. */
export interface ExponentialDecayOptions {
  /** Learning rate at step 0. */
  readonly lr: number;
  /** Factor per step. */
  readonly gamma: number;
}

/** Config of {@link exponentialDecay}. */
export interface ExponentialDecayConfig {
  readonly type: 'exponential';
  readonly lr: number;
  readonly gamma: number;
}

/**
 * Exponential decay (PyTorch's `ExponentialLR`): `lr · gamma^step`. Wrap it in {@link perEpoch} to decay
 * once per epoch.
 *
 * @example
 * ```ts
 * const schedule = exponentialDecay({ lr: 0.1, gamma: 0.99 });
 * ```
 */
export function exponentialDecay(options: ExponentialDecayOptions): Schedule<ExponentialDecayConfig> {
  const fn = 'exponentialDecay';
  checkOptions(fn, options);
  const lr = checkNonNegative(fn, 'lr', options.lr);
  const gamma = checkPositive(fn, 'gamma', options.gamma);
  return makeSchedule(fn, { type: 'exponential', lr, gamma }, (step) => lr * gamma ** step);
}
