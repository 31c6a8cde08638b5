import { InvalidArgumentError } from '@topk/core';
import type { Batch } from './types.js';
import { checkInRange, checkOptions, checkPositive, checkPositiveInteger } from './validate.js';

/** Options of {@link Learner.findLr}; the defaults are fastai's `lr_find`. */
export interface FindLrOptions {
  /** @defaultValue 1e-7 */
  readonly startLr?: number;
  /** @defaultValue 10 */
  readonly endLr?: number;
  /**
   * Steps of the sweep, at most (one batch each).
   * @defaultValue 100
   */
  readonly numIterations?: number;
  /**
   * Smoothing of the loss: an exponential moving average with this factor, bias-corrected.
   * @defaultValue 0.98
   */
  readonly beta?: number;
  /**
   * Stop when the smoothed loss exceeds this many times the best so far (or is not finite).
   * @defaultValue 4
   */
  readonly divergeThreshold?: number;
}

/** The curve of an LR range test and the rates it suggests. */
export interface LrFinderResult {
  /** Learning rate of each step. */
  readonly lrs: readonly number[];
  /** Smoothed loss after each step. */
  readonly losses: readonly number[];
  /** Raw loss of each step. */
  readonly rawLosses: readonly number[];
  /**
   * The rate where the smoothed loss falls fastest against log(lr) (fastai's `steep`), or `undefined`
   * when the curve has fewer than 3 points.
   */
  readonly suggestion: number | undefined;
  /** The rate at the smoothed loss's minimum, divided by 10 (fastai's `minimum`). */
  readonly minimumDiv10: number | undefined;
  /** Whether the sweep stopped on divergence before `numIterations` steps. */
  readonly diverged: boolean;
}

/**
 * The learning rate where `losses` decreases fastest against `log10(lr)`: the minimum of the gradient by
 * central differences (one-sided at the ends), as `numpy.gradient`. Leaves out the first tenth and the
 * last five points when that leaves at least three, as fastai does, since both ends are noisy.
 */
export function steepestLr(lrs: readonly number[], losses: readonly number[]): number | undefined {
  if (!Array.isArray(lrs) || !Array.isArray(losses) || lrs.length !== losses.length) {
    throw new InvalidArgumentError(
      'steepestLr',
      'losses',
      `an array as long as lrs (${lrs?.length})`,
      losses,
    );
  }
  let start = 0;
  let end = lrs.length;
  const skipStart = Math.floor(lrs.length / 10);
  if (lrs.length - skipStart - 5 >= 3) {
    start = skipStart;
    end = lrs.length - 5;
  }
  const x = lrs.slice(start, end).map(Math.log10);
  const y = losses.slice(start, end);
  if (x.length < 3) return undefined;
  let best = 0;
  let bestSlope = Number.POSITIVE_INFINITY;
  for (let i = 0; i < x.length; i++) {
    const lo = Math.max(i - 1, 0);
    const hi = Math.min(i + 1, x.length - 1);
    const slope = (y[hi]! - y[lo]!) / (x[hi]! - x[lo]!);
    if (slope < bestSlope) {
      bestSlope = slope;
      best = i;
    }
  }
  return lrs[start + best];
}

/** The sweep behind {@link Learner.findLr}: pulls batches and takes one step at each rate. */
export async function runLrFinder(
  options: FindLrOptions,
  trainer: {
    readonly batches: AsyncIterable<Batch>;
    readonly step: (batch: Batch, lr: number) => Promise<number>;
  },
): Promise<LrFinderResult> {
  const fn = 'Learner.findLr';
  checkOptions(fn, options);
  const startLr = checkPositive(fn, 'startLr', options.startLr ?? 1e-7);
  const endLr = checkPositive(fn, 'endLr', options.endLr ?? 10);
  if (endLr <= startLr)
    throw new InvalidArgumentError(fn, 'endLr', `greater than startLr (${startLr})`, endLr);
  const numIterations = checkPositiveInteger(fn, 'numIterations', options.numIterations ?? 100);
  const beta = checkInRange(fn, 'beta', options.beta ?? 0.98, 0, 1);
  const divergeThreshold = checkPositive(fn, 'divergeThreshold', options.divergeThreshold ?? 4);
  const lrs: number[] = [];
  const losses: number[] = [];
  const rawLosses: number[] = [];
  let average = 0;
  let best = Number.POSITIVE_INFINITY;
  let diverged = false;
  let i = 0;
  for await (const batch of trainer.batches) {
    const lr = numIterations === 1 ? startLr : startLr * (endLr / startLr) ** (i / (numIterations - 1));
    const loss = await trainer.step(batch, lr);
    average = beta * average + (1 - beta) * loss;
    const smoothed = average / (1 - beta ** (i + 1));
    lrs.push(lr);
    rawLosses.push(loss);
    losses.push(smoothed);
    i++;
    if (!Number.isFinite(smoothed) || (i > 1 && smoothed > divergeThreshold * best)) {
      diverged = true;
      break;
    }
    best = Math.min(best, smoothed);
    if (i >= numIterations) break;
  }
  const finite = losses.map((l, k) => ({ l, k })).filter(({ l }) => Number.isFinite(l));
  const minimum = finite.reduce<{ l: number; k: number } | undefined>(
    (m, p) => (m === undefined || p.l < m.l ? p : m),
    undefined,
  );
  return {
    lrs,
    losses,
    rawLosses,
    suggestion: steepestLr(
      finite.map(({ k }) => lrs[k]!),
      finite.map(({ l }) => l),
    ),
    minimumDiv10: minimum === undefined ? undefined : lrs[minimum.k]! / 10,
    diverged,
  };
}
