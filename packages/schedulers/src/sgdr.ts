import { InvalidArgumentError } from '@topk/core';
import { cosineBetween, makeSchedule, type Schedule } from './schedule.js';
import { checkNonNegative, checkOptions, checkPositive, isFiniteNumber } from './validate.js';

/** Options of {@link sgdr}. */
export interface SgdrOptions {
  /** Peak learning rate of the first cycle. */
  readonly lr: number;
  /** Length in steps of the first cycle. */
  readonly cycleLength: number;
  /**
   * Each cycle is `cycleMult` times longer than the previous one (T_mult in the paper); must be ≥ 1.
   * @defaultValue 1
   */
  readonly cycleMult?: number;
  /**
   * Each cycle's peak is `cycleDecay` times the previous one's (timm's `cycle_decay`).
   * @defaultValue 1
   */
  readonly cycleDecay?: number;
  /**
   * Learning rate at the end of every cycle (η_min).
   * @defaultValue 0
   */
  readonly minLr?: number;
}

/** Config of {@link sgdr}. */
export interface SgdrConfig {
  readonly type: 'sgdr';
  readonly lr: number;
  readonly cycleLength: number;
  readonly cycleMult: number;
  readonly cycleDecay: number;
  readonly minLr: number;
}

/** Where a step falls in an SGDR run: the cycle index, the cycle's first step and its length. */
export interface SgdrCycle {
  readonly index: number;
  readonly start: number;
  readonly length: number;
}

function cycleStart(index: number, cycleLength: number, cycleMult: number): number {
  return cycleMult === 1 ? index * cycleLength : (cycleLength * (cycleMult ** index - 1)) / (cycleMult - 1);
}

/**
 * The SGDR cycle that contains `step`: cycle i starts at `cycleLength · (cycleMult^i − 1) / (cycleMult − 1)`
 * (`i · cycleLength` when cycleMult is 1) and lasts `cycleLength · cycleMult^i` steps.
 */
export function sgdrCycle(step: number, cycleLength: number, cycleMult: number): SgdrCycle {
  const fn = 'sgdrCycle';
  if (!isFiniteNumber(step) || step < 0)
    throw new InvalidArgumentError(fn, 'step', 'a finite number >= 0', step);
  checkPositive(fn, 'cycleLength', cycleLength);
  if (!isFiniteNumber(cycleMult) || cycleMult < 1) {
    throw new InvalidArgumentError(fn, 'cycleMult', 'a finite number >= 1', cycleMult);
  }
  let index =
    cycleMult === 1
      ? Math.floor(step / cycleLength)
      : Math.floor(Math.log1p((step * (cycleMult - 1)) / cycleLength) / Math.log(cycleMult));
  // The logarithm can land a hair off at exact restart steps; settle on the cycle by its boundaries.
  while (index > 0 && cycleStart(index, cycleLength, cycleMult) > step) index--;
  while (cycleStart(index + 1, cycleLength, cycleMult) <= step) index++;
  return {
    index,
    start: cycleStart(index, cycleLength, cycleMult),
    length: cycleLength * cycleMult ** index,
  };
}

/**
 * Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter 2017): within cycle i the rate follows
 * `minLr + (lr · cycleDecay^i − minLr) · (1 + cos(π · t_i / T_i)) / 2`, where t_i is the step within the
 * cycle and T_i = cycleLength · cycleMult^i; at each restart it jumps back to the (decayed) peak.
 *
 * @example
 * ```ts
 * // Restarts at steps 10, 30, 70, 150, ... (cycles of 10, 20, 40, 80 steps)
 * const schedule = sgdr({ lr: 0.05, cycleLength: 10, cycleMult: 2 });
 * ```
 */
export function sgdr(options: SgdrOptions): Schedule<SgdrConfig> {
  const fn = 'sgdr';
  checkOptions(fn, options);
  const lr = checkNonNegative(fn, 'lr', options.lr);
  const cycleLength = checkPositive(fn, 'cycleLength', options.cycleLength);
  const cycleMult = options.cycleMult ?? 1;
  if (!isFiniteNumber(cycleMult) || cycleMult < 1) {
    throw new InvalidArgumentError(fn, 'cycleMult', 'a finite number >= 1', cycleMult);
  }
  const cycleDecay = checkPositive(fn, 'cycleDecay', options.cycleDecay ?? 1);
  const minLr = checkNonNegative(fn, 'minLr', options.minLr ?? 0);
  const config = { type: 'sgdr', lr, cycleLength, cycleMult, cycleDecay, minLr } as const;
  return makeSchedule(fn, config, (step) => {
    const cycle = sgdrCycle(step, cycleLength, cycleMult);
    const peak = lr * cycleDecay ** cycle.index;
    return cosineBetween(peak, minLr, (step - cycle.start) / cycle.length);
  });
}
