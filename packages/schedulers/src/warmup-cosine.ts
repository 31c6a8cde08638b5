import { InvalidArgumentError } from '@topk/core';
import { cosineBetween, makeSchedule, type Schedule } from './schedule.js';
import { checkNonNegative, checkOptions, checkPositive } from './validate.js';

/** Options of {@link warmupCosine}. */
export interface WarmupCosineOptions {
  /** Peak learning rate, reached at the end of the warmup. */
  readonly lr: number;
  /** Total length in steps, warmup included; the rate stays at `minLr` afterwards. */
  readonly totalSteps: number;
  /** Length of the linear warmup in steps, in [0, totalSteps). */
  readonly warmupSteps: number;
  /**
   * Learning rate at step 0, where the warmup starts.
   * @defaultValue 0
   */
  readonly warmupLr?: number;
  /**
   * Learning rate at `totalSteps`, where the cosine ends.
   * @defaultValue 0
   */
  readonly minLr?: number;
}

/** Config of {@link warmupCosine}. */
export interface WarmupCosineConfig {
  readonly type: 'warmupCosine';
  readonly lr: number;
  readonly totalSteps: number;
  readonly warmupSteps: number;
  readonly warmupLr: number;
  readonly minLr: number;
}

/**
 * Linear warmup then cosine annealing, the schedule of the humpback-whale ArcFace solution (field note
 * 002): `warmupLr + (lr − warmupLr) · step / warmupSteps` for step < warmupSteps, then
 * `minLr + (lr − minLr) · (1 + cos(π · (step − warmupSteps) / (totalSteps − warmupSteps))) / 2`.
 *
 * @example
 * ```ts
 * const schedule = warmupCosine({ lr: 2.5e-4, minLr: 5e-5, warmupSteps: 500, totalSteps: 20_000 });
 * ```
 */
export function warmupCosine(options: WarmupCosineOptions): Schedule<WarmupCosineConfig> {
  const fn = 'warmupCosine';
  checkOptions(fn, options);
  const lr = checkNonNegative(fn, 'lr', options.lr);
  const totalSteps = checkPositive(fn, 'totalSteps', options.totalSteps);
  const warmupSteps = checkNonNegative(fn, 'warmupSteps', options.warmupSteps);
  if (warmupSteps >= totalSteps) {
    throw new InvalidArgumentError(fn, 'warmupSteps', `< totalSteps (${totalSteps})`, warmupSteps);
  }
  const warmupLr = checkNonNegative(fn, 'warmupLr', options.warmupLr ?? 0);
  const minLr = checkNonNegative(fn, 'minLr', options.minLr ?? 0);
  const config = { type: 'warmupCosine', lr, totalSteps, warmupSteps, warmupLr, minLr } as const;
  const decaySteps = totalSteps - warmupSteps;
  return makeSchedule(fn, config, (step) => {
    if (step < warmupSteps) return warmupLr + ((lr - warmupLr) * step) / warmupSteps;
    return cosineBetween(lr, minLr, Math.min(step - warmupSteps, decaySteps) / decaySteps);
  });
}
