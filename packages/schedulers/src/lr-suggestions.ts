import { InvalidArgumentError } from '@topk/core';
import { isFiniteNumber } from './validate.js';

/** A learning rate suggested from an LR range test curve, with the curve point it was read from. */
export interface LrSuggestion {
  /** The suggested learning rate. */
  readonly lr: number;
  /** Index of the curve point the suggestion was read from (in the arrays passed in). */
  readonly index: number;
  /** Learning rate at that point (differs from `lr` for {@link minimum}, which suggests a tenth of it). */
  readonly pointLr: number;
  /** Loss at that point, for marking it on a plot. */
  readonly loss: number;
}

/** A suggestion rule over an LR range test curve: `lrs` increasing, `losses` (smoothed) of the same length. */
export type LrSuggestionFunction = (lrs: readonly number[], losses: readonly number[]) => LrSuggestion;

function checkCurve(fn: string, lrs: readonly number[], losses: readonly number[], least: number): void {
  if (!Array.isArray(lrs) || lrs.length < least || !lrs.every((lr) => isFiniteNumber(lr) && lr > 0)) {
    throw new InvalidArgumentError(fn, 'lrs', `an array of at least ${least} finite numbers > 0`, lrs);
  }
  if (!Array.isArray(losses) || losses.length !== lrs.length || !losses.every(isFiniteNumber)) {
    throw new InvalidArgumentError(fn, 'losses', `an array of ${lrs.length} finite numbers`, losses);
  }
}

function point(lrs: readonly number[], losses: readonly number[], index: number, lr: number): LrSuggestion {
  return { lr, index, pointLr: lrs[index]!, loss: losses[index]! };
}

/**
 * fastai's `valley` (its default since v2.5): finds the longest run of decreasing losses (the longest
 * decreasing subsequence, by index) and suggests the rate about halfway along it, at
 * `start + ⌊(end − start) / 3⌋ + ⌊(end − start) / 6⌋`. The loop is fastai's, so `start` is what fastai
 * computes (`end` minus the run length when `end` first became the longest: one point before the run's
 * first), and the same index comes out; an index below 0, where Python would wrap to the last point, is
 * clamped to 0.
 */
export const valley: LrSuggestionFunction = (lrs, losses) => {
  checkCurve('valley', lrs, losses, 1);
  const n = losses.length;
  const runs = new Array<number>(n).fill(1);
  let start = 0;
  let end = 0;
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (losses[i]! < losses[j]! && runs[i]! < runs[j]! + 1) runs[i] = runs[j]! + 1;
      if (runs[end]! < runs[i]!) {
        end = i;
        start = end - runs[end]!;
      }
    }
  }
  const sections = (end - start) / 3;
  const index = Math.max(0, start + Math.floor(sections) + Math.floor(sections / 2));
  return point(lrs, losses, index, lrs[index]!);
};

/**
 * fastai's `steep`: the point where the loss falls fastest against log(lr), i.e. the i minimising
 * `(losses[i+1] − losses[i]) / (ln lrs[i+1] − ln lrs[i])`; suggests `lrs[i]`.
 */
export const steep: LrSuggestionFunction = (lrs, losses) => {
  checkCurve('steep', lrs, losses, 2);
  let best = 0;
  let bestSlope = Number.POSITIVE_INFINITY;
  for (let i = 0; i + 1 < lrs.length; i++) {
    const slope = (losses[i + 1]! - losses[i]!) / (Math.log(lrs[i + 1]!) - Math.log(lrs[i]!));
    if (slope < bestSlope) {
      bestSlope = slope;
      best = i;
    }
  }
  return point(lrs, losses, best, lrs[best]!);
};

/** fastai's `minimum`: a tenth of the rate at the lowest loss, the classic "one order of magnitude before the minimum". */
export const minimum: LrSuggestionFunction = (lrs, losses) => {
  checkCurve('minimum', lrs, losses, 1);
  let best = 0;
  for (let i = 1; i < losses.length; i++) if (losses[i]! < losses[best]!) best = i;
  return point(lrs, losses, best, lrs[best]! / 10);
};
