import { cosineBetween, makeSchedule, type Schedule } from './schedule.js';
import { checkNonNegative, checkOptions, checkPositive } from './validate.js';

/** Options of {@link cosineAnnealing}. */
export interface CosineAnnealingOptions {
  /** Learning rate at step 0. */
  readonly lr: number;
  /** Length of the half-cosine in steps; the rate stays at `minLr` afterwards. */
  readonly totalSteps: number;
  /**
   * Learning rate from `totalSteps` on. Larger than `lr` gives a rising half-cosine (fastai's
   * `SchedCos` from low to high).
   * @defaultValue 0
   */
  readonly minLr?: number;
}

/** Config of {@link cosineAnnealing}. */
export interface CosineAnnealingConfig {
  readonly type: 'cosine';
  readonly lr: number;
  readonly totalSteps: number;
  readonly minLr: number;
}

/**
 * Cosine annealing without restarts (Loshchilov & Hutter 2017, eq. 5 with one cycle):
 * `minLr + (lr − minLr) · (1 + cos(π · min(step, totalSteps) / totalSteps)) / 2`.
 *
 * @example
 * ```ts
 * const schedule = cosineAnnealing({ lr: 1e-3, totalSteps: 10_000, minLr: 1e-6 });
 * ```
 */
export function cosineAnnealing(options: CosineAnnealingOptions): Schedule<CosineAnnealingConfig> {
  const fn = 'cosineAnnealing';
  checkOptions(fn, options);
  const lr = checkNonNegative(fn, 'lr', options.lr);
  const totalSteps = checkPositive(fn, 'totalSteps', options.totalSteps);
  const minLr = checkNonNegative(fn, 'minLr', options.minLr ?? 0);
  return makeSchedule(fn, { type: 'cosine', lr, totalSteps, minLr }, (step) => {
    return cosineBetween(lr, minLr, Math.min(step, totalSteps) / totalSteps);
  });
}
