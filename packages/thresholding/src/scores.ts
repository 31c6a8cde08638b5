import { checkOneOf, checkOptions, InvalidArgumentError } from '@topk/core';
import type { ClassOutcomes } from './class-outcomes.js';

/** How per-class scores are averaged, as scikit-learn's `average` argument. */
export type Average = 'micro' | 'macro' | 'weighted';

/** The averages {@link averageScores} accepts. */
export const AVERAGES: readonly Average[] = Object.freeze(['micro', 'macro', 'weighted']);

/** Options of {@link perClassScores}, {@link averageScores} and {@link f1Score}. */
export interface ScoreOptions {
  /**
   * Value of a score whose denominator is zero: precision of a class never predicted, recall of a class
   * never true, F1 of a class neither true nor predicted. scikit-learn's `zero_division`.
   * @defaultValue 0
   */
  readonly zeroDivision?: number;
}

/** Precision, recall, F1 and support of every class. */
export interface PerClassScores {
  readonly precision: Float64Array;
  readonly recall: Float64Array;
  readonly f1: Float64Array;
  /** Number of rows where the class is true (`tp + fn`). */
  readonly support: Float64Array;
}

/** Precision, recall and F1 averaged over classes, and the total support. */
export interface AveragedScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

/** Checks the shape of {@link ClassOutcomes} (internal; not exported from the package). */
export function checkOutcomes(fn: string, outcomes: unknown): ClassOutcomes {
  const o = outcomes as Partial<ClassOutcomes> | null;
  const c = o?.numClasses;
  if (
    typeof o !== 'object' ||
    o === null ||
    typeof c !== 'number' ||
    !(o.truePositives instanceof Float64Array) ||
    !(o.falsePositives instanceof Float64Array) ||
    !(o.falseNegatives instanceof Float64Array) ||
    o.truePositives.length !== c ||
    o.falsePositives.length !== c ||
    o.falseNegatives.length !== c
  ) {
    throw new InvalidArgumentError(
      fn,
      'outcomes',
      'ClassOutcomes from countOutcomes or countMultiLabelOutcomes',
      outcomes,
    );
  }
  return o as ClassOutcomes;
}

function zeroDivisionOf(fn: string, options: unknown): number {
  const { zeroDivision = 0 } = checkOptions<ScoreOptions>(fn, options);
  if (typeof zeroDivision !== 'number' || !(zeroDivision >= 0 && zeroDivision <= 1)) {
    throw new InvalidArgumentError(fn, 'options.zeroDivision', 'a number in [0, 1]', zeroDivision);
  }
  return zeroDivision;
}

function ratio(numerator: number, denominator: number, zeroDivision: number): number {
  return denominator === 0 ? zeroDivision : numerator / denominator;
}

/**
 * F1 as `2·tp / (2·tp + fp + fn)`, which equals the harmonic mean of precision and recall whenever that is
 * defined and is 0 when tp = 0, as in scikit-learn ≥ 1.3; only `tp = fp = fn = 0` gives `zeroDivision`.
 */
function f1Of(tp: number, fp: number, fn: number, zeroDivision: number): number {
  return ratio(2 * tp, 2 * tp + fp + fn, zeroDivision);
}

/**
 * Precision `tp / (tp + fp)`, recall `tp / (tp + fn)` and F1 of each class (scikit-learn's
 * `precision_recall_fscore_support(..., average=None)`).
 * @param outcomes - per-class counts.
 */
export function perClassScores(outcomes: ClassOutcomes, options: ScoreOptions = {}): PerClassScores {
  const fn = 'perClassScores';
  const o = checkOutcomes(fn, outcomes);
  const zd = zeroDivisionOf(fn, options);
  const c = o.numClasses;
  const precision = new Float64Array(c);
  const recall = new Float64Array(c);
  const f1 = new Float64Array(c);
  const support = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    const tp = o.truePositives[j]!;
    const fp = o.falsePositives[j]!;
    const fnj = o.falseNegatives[j]!;
    precision[j] = ratio(tp, tp + fp, zd);
    recall[j] = ratio(tp, tp + fnj, zd);
    f1[j] = f1Of(tp, fp, fnj, zd);
    support[j] = tp + fnj;
  }
  return { precision, recall, f1, support };
}

/**
 * Precision, recall and F1 averaged over all `numClasses` classes:
 * - `micro`: from the counts summed over classes (for single-label outcomes all three equal accuracy);
 * - `macro`: unweighted mean of the per-class scores;
 * - `weighted`: mean of the per-class scores weighted by support.
 *
 * Every class counts, including classes absent from both labels and predictions: this is scikit-learn
 * called with `labels=range(numClasses)` (its default set is only the classes that occur).
 *
 * @param outcomes - per-class counts.
 * @param average - how to average.
 */
export function averageScores(
  outcomes: ClassOutcomes,
  average: Average,
  options: ScoreOptions = {},
): AveragedScores {
  return computeAverage('averageScores', outcomes, average, options);
}

function computeAverage(fn: string, outcomes: unknown, average: unknown, options: unknown): AveragedScores {
  const o = checkOutcomes(fn, outcomes);
  const avg = checkOneOf(fn, 'average', average, AVERAGES);
  const zd = zeroDivisionOf(fn, options);
  const c = o.numClasses;
  let tp = 0;
  let fp = 0;
  let fnSum = 0;
  for (let j = 0; j < c; j++) {
    tp += o.truePositives[j]!;
    fp += o.falsePositives[j]!;
    fnSum += o.falseNegatives[j]!;
  }
  const support = tp + fnSum;
  if (avg === 'micro') {
    return {
      precision: ratio(tp, tp + fp, zd),
      recall: ratio(tp, tp + fnSum, zd),
      f1: f1Of(tp, fp, fnSum, zd),
      support,
    };
  }
  const scores = perClassScores(o, { zeroDivision: zd });
  let p = 0;
  let r = 0;
  let f = 0;
  let total = 0;
  for (let j = 0; j < c; j++) {
    const w = avg === 'macro' ? 1 : scores.support[j]!;
    p += w * scores.precision[j]!;
    r += w * scores.recall[j]!;
    f += w * scores.f1[j]!;
    total += w;
  }
  return { precision: ratio(p, total, zd), recall: ratio(r, total, zd), f1: ratio(f, total, zd), support };
}

/**
 * F1 averaged over classes; see {@link averageScores} for the averages.
 * @param outcomes - per-class counts.
 * @param average - how to average; defaults to `'macro'`.
 */
export function f1Score(
  outcomes: ClassOutcomes,
  average: Average = 'macro',
  options: ScoreOptions = {},
): number {
  return computeAverage('f1Score', outcomes, average, options).f1;
}
