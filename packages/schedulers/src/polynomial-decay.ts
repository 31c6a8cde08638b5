import { makeSchedule, type Schedule } from './schedule.js';
import { checkNonNegative, checkOptions, checkPositive } from './validate.js';

/** Options of {@link polynomialDecay}. */
export interface PolynomialDecayOptions {
  /** Learning rate at step 0. */
  readonly lr: number;
  /** Step at which `endLr` is reached; the rate stays there afterwards. */
  readonly totalSteps: number;
  /**
   * Learning rate from `totalSteps` on.
   * @defaultValue 0
   */
  readonly endLr?: number;
  /**
   * Exponent of the decay; 1 is linear.
   * @defaultValue 1
   */
  readonly power?: number;
}

/** Config of {@link polynomialDecay}. */
export interface PolynomialDecayConfig {
  readonly type: 'polynomial';
  readonly lr: number;
  readonly totalSteps: number;
  readonly endLr: number;
  readonly power: number;
}

/**
 * Polynomial decay (TensorFlow's `PolynomialDecay`):
 * `(lr − endLr) · (1 − min(step, totalSteps) / totalSteps)^power + endLr`.
 *
 * @example
 * ```ts
 * const schedule = polynomialDecay({ lr: 0.01, totalSteps: 10_000, power: 0.9 }); // "poly" from DeepLab
 * ```
 */
export function polynomialDecay(options: PolynomialDecayOptions): Schedule<PolynomialDecayConfig> {
  const fn = 'polynomialDecay';
  checkOptions(fn, options);
  const lr = checkNonNegative(fn, 'lr', options.lr);
  const totalSteps = checkPositive(fn, 'totalSteps', options.totalSteps);
  const endLr = checkNonNegative(fn, 'endLr', options.endLr ?? 0);
  const power = checkPositive(fn, 'power', options.power ?? 1);
  const config = { type: 'polynomial', lr, totalSteps, endLr, power } as const;
  return makeSchedule(fn, config, (step) => {
    const remaining = 1 - Math.min(step, totalSteps) / totalSteps;
    return (lr - endLr) * remaining ** power + endLr;
  });
}
