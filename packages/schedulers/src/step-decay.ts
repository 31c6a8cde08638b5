import { makeSchedule, type Schedule } from './schedule.js';
import { checkNonNegative, checkOptions, checkPositive } from './validate.js';

/** Options of {@link stepDecay}. */
export interface StepDecayOptions {
  /** Learning rate before the first decay. */
  readonly lr: number;
  /** Steps between decays. */
  readonly stepSize: number;
  /**
   * Factor applied at every decay.
   * @defaultValue 0.1
   */
  readonly gamma?: number;
}

/** Config of {@link stepDecay}. */
export interface StepDecayConfig {
  readonly type: 'step';
  readonly lr: number;
  readonly stepSize: number;
  readonly gamma: number;
}

/**
 * Step decay (PyTorch's `StepLR`): `lr · gamma^⌊step / stepSize⌋`.
 *
 * @example
 * ```ts
 * const schedule = stepDecay({ lr: 0.1, stepSize: 30 }); // 0.1 for steps 0–29, 0.01 for 30–59, ...
 * ```
 */
export function stepDecay(options: StepDecayOptions): Schedule<StepDecayConfig> {
  const fn = 'stepDecay';
  checkOptions(fn, options);
  const lr = checkNonNegative(fn, 'lr', options.lr);
  const stepSize = checkPositive(fn, 'stepSize', options.stepSize);
  const gamma = checkPositive(fn, 'gamma', options.gamma ?? 0.1);
  return makeSchedule(fn, { type: 'step', lr, stepSize, gamma }, (step) => {
    return lr * gamma ** Math.floor(step / stepSize);
  });
}
