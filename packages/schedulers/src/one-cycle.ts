import { InvalidArgumentError } from '@topk/core';
import { cosineBetween, makeSchedule, type Schedule } from './schedule.js';
import { checkInRange, checkOptions, checkPositive, isFiniteNumber } from './validate.js';

/** Options of {@link oneCycle}; the defaults are fastai's `fit_one_cycle`. */
export interface OneCycleOptions {
  /** Peak learning rate, reached at `pctStart · totalSteps`. */
  readonly maxLr: number;
  /** Length of the cycle in steps; both curves stay at their final values afterwards. */
  readonly totalSteps: number;
  /**
   * The cycle starts at `maxLr / div`.
   * @defaultValue 25
   */
  readonly div?: number;
  /**
   * The cycle ends at `maxLr / divFinal` (fastai's `div_final`, relative to `maxLr`).
   * @defaultValue 1e5
   */
  readonly divFinal?: number;
  /**
   * Fraction of the cycle spent rising, in [0, 1).
   * @defaultValue 0.25
   */
  readonly pctStart?: number;
  /**
   * Momentum (or Adam's β1) at the start, at the peak of the learning rate, and at the end.
   * @defaultValue [0.95, 0.85, 0.95]
   */
  readonly moms?: readonly [number, number, number];
}

/** Config of {@link oneCycle}. */
export interface OneCycleConfig {
  readonly type: 'oneCycle';
  readonly maxLr: number;
  readonly totalSteps: number;
  readonly div: number;
  readonly divFinal: number;
  readonly pctStart: number;
  readonly moms: readonly [number, number, number];
}

/** A {@link oneCycle} schedule: the learning rate, plus the matching momentum curve. */
export interface OneCycleSchedule extends Schedule<OneCycleConfig> {
  /** Momentum at `step`: moms[0] → moms[1] while the rate rises, moms[1] → moms[2] while it falls. */
  readonly momentum: (step: number) => number;
}

/**
 * The 1cycle policy as fastai implements it (`fit_one_cycle`, Smith 2018): with p = min(step, totalSteps) /
 * totalSteps, a half-cosine from `maxLr / div` up to `maxLr` over p ∈ [0, pctStart], then a half-cosine down
 * to `maxLr / divFinal` over p ∈ [pctStart, 1]; momentum runs the opposite way through `moms`.
 *
 * @example
 * ```ts
 * const schedule = oneCycle({ maxLr: 3e-3, totalSteps: 5 * stepsPerEpoch });
 * const lr = schedule(step); // 1.2e-4 at step 0, 3e-3 at 25% of the run, 3e-8 at the end
 * const momentum = schedule.momentum(step); // SGD momentum or Adam's beta1
 * ```
 */
export function oneCycle(options: OneCycleOptions): OneCycleSchedule {
  const fn = 'oneCycle';
  checkOptions(fn, options);
  const maxLr = checkPositive(fn, 'maxLr', options.maxLr);
  const totalSteps = checkPositive(fn, 'totalSteps', options.totalSteps);
  const div = checkPositive(fn, 'div', options.div ?? 25);
  const divFinal = checkPositive(fn, 'divFinal', options.divFinal ?? 1e5);
  const pctStart = checkInRange(fn, 'pctStart', options.pctStart ?? 0.25, 0, 1, false);
  const moms = options.moms ?? [0.95, 0.85, 0.95];
  if (!Array.isArray(moms) || moms.length !== 3 || !moms.every((m) => isFiniteNumber(m) && m >= 0)) {
    throw new InvalidArgumentError(fn, 'moms', 'an array of three finite numbers >= 0', moms);
  }
  const [mom0, mom1, mom2] = moms;
  const config = {
    type: 'oneCycle',
    maxLr,
    totalSteps,
    div,
    divFinal,
    pctStart,
    moms: [mom0, mom1, mom2],
  } as const satisfies OneCycleConfig;
  // fastai's combined_cos(pctStart, start, middle, end): two half-cosines joined at pctStart.
  const combinedCos = (step: number, start: number, middle: number, end: number): number => {
    const p = Math.min(step, totalSteps) / totalSteps;
    if (p < pctStart) return cosineBetween(start, middle, p / pctStart);
    return cosineBetween(middle, end, (p - pctStart) / (1 - pctStart));
  };
  const momentum = (step: number): number => {
    if (!isFiniteNumber(step) || step < 0) {
      throw new InvalidArgumentError('oneCycle.momentum', 'step', 'a finite number >= 0', step);
    }
    return combinedCos(step, mom0, mom1, mom2);
  };
  return makeSchedule(fn, config, (step) => combinedCos(step, maxLr / div, maxLr, maxLr / divFinal), {
    momentum,
  });
}
