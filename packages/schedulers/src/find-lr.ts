import { InvalidArgumentError } from '@topk/core';
import { type LrSuggestion, minimum, steep, valley } from './lr-suggestions.js';
import {
  checkInRange,
  checkOptions,
  checkPositive,
  checkPositiveInteger,
  isFiniteNumber,
} from './validate.js';

/** Options of {@link findLr}; the defaults are fastai's `lr_find`. */
export interface FindLrOptions {
  /**
   * Learning rate of the first step.
   * @defaultValue 1e-7
   */
  readonly startLr?: number;
  /**
   * Learning rate of the last step (> startLr).
   * @defaultValue 10
   */
  readonly endLr?: number;
  /**
   * Steps in the sweep (≥ 2); step i uses `startLr · (endLr / startLr)^(i / (numSteps − 1))`.
   * @defaultValue 100
   */
  readonly numSteps?: number;
  /**
   * Smoothing of the loss, an exponential moving average with bias correction (fastai's
   * `AvgSmoothLoss`): `avg = beta · avg + (1 − beta) · loss`, smoothed = `avg / (1 − beta^(i+1))`.
   * @defaultValue 0.98
   */
  readonly beta?: number;
  /**
   * The sweep stops once the smoothed loss exceeds `divergence` × the best smoothed loss so far.
   * @defaultValue 4
   */
  readonly divergence?: number;
  /**
   * Stop on divergence; `false` runs all `numSteps` (still stopping on a non-finite loss).
   * @defaultValue true
   */
  readonly stopOnDivergence?: boolean;
  /**
   * Points dropped from the start of the curve before suggesting, as fastai does (the smoothed loss is
   * still settling there).
   * @defaultValue ⌊numSteps / 10⌋
   */
  readonly skipStart?: number;
  /**
   * Points dropped from the end of the curve before suggesting (the divergence).
   * @defaultValue 5
   */
  readonly skipEnd?: number;
}

/** Why {@link findLr} stopped. */
export type FindLrStopReason = 'completed' | 'diverged' | 'nonFinite';

/** What {@link findLr} measured: the curve for plotting (log-scale x) and the suggestions. */
export interface FindLrResult {
  /** Learning rate of every recorded step. */
  readonly lrs: readonly number[];
  /** Loss returned by `step` at each of them. */
  readonly losses: readonly number[];
  /** Smoothed loss at each of them; the suggestions read this curve. */
  readonly smoothedLosses: readonly number[];
  /** Lowest smoothed loss. */
  readonly bestLoss: number;
  /** `'diverged'`: smoothed loss > divergence × best; `'nonFinite'`: `step` returned NaN or ±Infinity (not recorded). */
  readonly stopReason: FindLrStopReason;
  /**
   * fastai's three suggestions, read from the smoothed curve without its first `skipStart` and last
   * `skipEnd` points (from the whole curve when fewer than 2 points would remain); `null` when fewer than
   * 2 points were recorded. Their `index` refers to the full arrays above.
   */
  readonly suggestions: {
    readonly valley: LrSuggestion | null;
    readonly steep: LrSuggestion | null;
    readonly minimum: LrSuggestion | null;
  };
}

/**
 * The LR range test (Smith 2017; fastai's `lr_find`, field note 001): runs one training step at each of
 * an exponentially growing series of learning rates, smooths the losses, stops when they diverge and
 * suggests a rate. It knows nothing about models: `step(lr)` must take one optimizer step at that rate on
 * the next batch and return the loss; saving and restoring the weights around the test is the caller's
 * job (the training package does it).
 *
 * @example
 * ```ts
 * const result = await findLr((lr) => {
 *   optimizer.setLearningRate(lr);
 *   const loss = optimizer.minimize(() => lossOf(nextBatch()), true)!;
 *   const value = loss.dataSync()[0]!;
 *   loss.dispose();
 *   return value;
 * });
 * console.log(result.suggestions.valley?.lr);
 * ```
 * @param step - takes one training step at `lr` (the `index`-th of the sweep) and returns its loss.
 */
export async function findLr(
  step: (lr: number, index: number) => Promise<number> | number,
  options: FindLrOptions = {},
): Promise<FindLrResult> {
  const fn = 'findLr';
  if (typeof step !== 'function') throw new InvalidArgumentError(fn, 'step', 'a function', step);
  checkOptions(fn, options);
  const startLr = checkPositive(fn, 'options.startLr', options.startLr ?? 1e-7);
  const endLr = checkPositive(fn, 'options.endLr', options.endLr ?? 10);
  if (endLr <= startLr) throw new InvalidArgumentError(fn, 'options.endLr', `> startLr (${startLr})`, endLr);
  const numSteps = checkPositiveInteger(fn, 'options.numSteps', options.numSteps ?? 100);
  if (numSteps < 2) throw new InvalidArgumentError(fn, 'options.numSteps', 'an integer >= 2', numSteps);
  const beta = checkInRange(fn, 'options.beta', options.beta ?? 0.98, 0, 1, false);
  const divergence = checkPositive(fn, 'options.divergence', options.divergence ?? 4);
  const stopOnDivergence = options.stopOnDivergence ?? true;
  if (typeof stopOnDivergence !== 'boolean') {
    throw new InvalidArgumentError(fn, 'options.stopOnDivergence', 'a boolean', stopOnDivergence);
  }
  const skipStart = options.skipStart ?? Math.floor(numSteps / 10);
  const skipEnd = options.skipEnd ?? 5;
  for (const [name, value] of [
    ['options.skipStart', skipStart],
    ['options.skipEnd', skipEnd],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new InvalidArgumentError(fn, name, 'a non-negative integer', value);
    }
  }

  const lrs: number[] = [];
  const losses: number[] = [];
  const smoothedLosses: number[] = [];
  let average = 0;
  let bestLoss = Number.POSITIVE_INFINITY;
  let stopReason: FindLrStopReason = 'completed';
  for (let i = 0; i < numSteps; i++) {
    const lr = startLr * (endLr / startLr) ** (i / (numSteps - 1));
    const loss: unknown = await step(lr, i);
    if (typeof loss !== 'number') {
      throw new InvalidArgumentError(fn, 'step', 'a function returning the loss as a number', loss);
    }
    if (!Number.isFinite(loss)) {
      stopReason = 'nonFinite';
      break;
    }
    average = beta * average + (1 - beta) * loss;
    const smoothed = average / (1 - beta ** (i + 1));
    lrs.push(lr);
    losses.push(loss);
    smoothedLosses.push(smoothed);
    if (smoothed < bestLoss) bestLoss = smoothed;
    if (stopOnDivergence && smoothed > divergence * bestLoss) {
      stopReason = 'diverged';
      break;
    }
  }

  let suggestions: FindLrResult['suggestions'] = { valley: null, steep: null, minimum: null };
  if (lrs.length >= 2) {
    const trimmed = lrs.length - skipStart - skipEnd >= 2;
    const from = trimmed ? skipStart : 0;
    const to = trimmed ? lrs.length - skipEnd : lrs.length;
    const x = lrs.slice(from, to);
    const y = smoothedLosses.slice(from, to);
    const shift = (s: LrSuggestion): LrSuggestion => ({ ...s, index: s.index + from });
    suggestions = { valley: shift(valley(x, y)), steep: shift(steep(x, y)), minimum: shift(minimum(x, y)) };
  }
  return {
    lrs,
    losses,
    smoothedLosses,
    bestLoss: isFiniteNumber(bestLoss) ? bestLoss : Number.NaN,
    stopReason,
    suggestions,
  };
}
