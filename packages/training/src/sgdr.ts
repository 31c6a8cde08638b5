import type { Schedule } from './types.js';
import { checkNonNegative, checkOptions, checkPositive, checkPositiveInteger } from './validate.js';

/** Options of {@link sgdr}. */
export interface SgdrOptions {
  /** Learning rate at the start of every cycle. */
  readonly maxLr: number;
  /**
   * Learning rate at the end of every cycle.
   * @defaultValue 0
   */
  readonly minLr?: number;
  /** Optimizer steps in the first cycle. */
  readonly cycleSteps: number;
  /**
   * Each cycle is `cycleMult` times longer than the one before (an integer ≥ 1).
   * @defaultValue 1
   */
  readonly cycleMult?: number;
}

/**
 * Cosine annealing with warm restarts (Loshchilov & Hutter, "SGDR", ICLR 2017; the Intel scene solution's
 * schedule, field note 001): within cycle k of length `T_k = cycleSteps · cycleMult^k`, at step t of the
 * cycle, `lr = minLr + (maxLr − minLr)·(1 + cos(π·t/T_k))/2`.
 */
export function sgdr(options: SgdrOptions): Schedule {
  const fn = 'sgdr';
  checkOptions(fn, options);
  const maxLr = checkPositive(fn, 'maxLr', options.maxLr);
  const minLr = checkNonNegative(fn, 'minLr', options.minLr ?? 0);
  const cycleSteps = checkPositiveInteger(fn, 'cycleSteps', options.cycleSteps);
  const cycleMult = checkPositiveInteger(fn, 'cycleMult', options.cycleMult ?? 1);
  return (step: number) => {
    let t = Math.max(step, 0);
    if (cycleMult === 1) t %= cycleSteps;
    let length = cycleSteps;
    while (t >= length) {
      t -= length;
      length *= cycleMult;
    }
    return minLr + ((maxLr - minLr) * (1 + Math.cos((Math.PI * t) / length))) / 2;
  };
}
