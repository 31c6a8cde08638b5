import { InvalidArgumentError } from '@topk/core';
import type { Schedule } from './types.js';
import { checkInRange, checkOptions, checkPositive, checkPositiveInteger } from './validate.js';

/** Options of {@link oneCycle}; the defaults are fastai's `fit_one_cycle`. */
export interface OneCycleOptions {
  /** Peak learning rate. */
  readonly maxLr: number;
  /** Optimizer steps in the whole cycle. */
  readonly totalSteps: number;
  /**
   * Fraction of the steps spent warming up, in (0, 1].
   * @defaultValue 0.25
   */
  readonly pctStart?: number;
  /**
   * The rate starts at `maxLr / divFactor`.
   * @defaultValue 25
   */
  readonly divFactor?: number;
  /**
   * The rate ends at `maxLr / divFactor / finalDivFactor`.
   * @defaultValue 1e5
   */
  readonly finalDivFactor?: number;
}

function cosineAnneal(start: number, end: number, fraction: number): number {
  return end + ((start - end) / 2) * (Math.cos(Math.PI * fraction) + 1);
}

/**
 * The one-cycle policy (Smith 2018, "A disciplined approach to neural network hyper-parameters"), in
 * PyTorch `OneCycleLR`'s two-phase cosine form: from `maxLr / divFactor` up to `maxLr` over the first
 * `pctStart · totalSteps − 1` steps, then down to `maxLr / divFactor / finalDivFactor` at step
 * `totalSteps − 1`. Steps past the end stay at the final rate.
 */
export function oneCycle(options: OneCycleOptions): Schedule {
  const fn = 'oneCycle';
  checkOptions(fn, options);
  const maxLr = checkPositive(fn, 'maxLr', options.maxLr);
  const totalSteps = checkPositiveInteger(fn, 'totalSteps', options.totalSteps);
  const pctStart = checkInRange(fn, 'pctStart', options.pctStart ?? 0.25, 0, 1, true);
  if (pctStart === 0) throw new InvalidArgumentError(fn, 'pctStart', 'in (0, 1]', pctStart);
  const initialLr = maxLr / checkPositive(fn, 'divFactor', options.divFactor ?? 25);
  const finalLr = initialLr / checkPositive(fn, 'finalDivFactor', options.finalDivFactor ?? 1e5);
  const warmEnd = pctStart * totalSteps - 1;
  const end = totalSteps - 1;
  return (step: number) => {
    if (step <= warmEnd && warmEnd > 0) return cosineAnneal(initialLr, maxLr, Math.max(step, 0) / warmEnd);
    const from = Math.max(warmEnd, 0);
    if (end <= from) return finalLr;
    return cosineAnneal(maxLr, finalLr, Math.min((step - from) / (end - from), 1));
  };
}
