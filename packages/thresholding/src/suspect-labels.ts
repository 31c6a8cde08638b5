import type { PredictionTable } from '@topk/core';
import { checkNumber, checkOptions, checkPredictionTable, InvalidArgumentError } from '@topk/core';
import { float32Number } from './float32-text.js';
import { argmaxAt, checkClassIndices } from './validate.js';

/** One row of {@link suspectLabels}. */
export interface SuspectLabel {
  readonly row: number;
  readonly id: string;
  /** The label the row carries. */
  readonly label: string;
  /** The class the model is confident about instead. */
  readonly predicted: string;
  /** Probability of `predicted`. */
  readonly probability: number;
  /** Probability the model gives the label. */
  readonly labelProbability: number;
}

/** Options of {@link suspectLabels}. */
export interface SuspectLabelsOptions {
  /**
   * A row is suspect when its most probable class differs from its label with a probability above this.
   * @defaultValue 0.9
   */
  readonly minProbability?: number;
}

/**
 * Rows whose label the model contradicts confidently: predicted another class with probability
 * `> minProbability`. The Intel-scene team found these were mostly mislabelled and dropped them from the
 * training set. Most confident first (ties by row order).
 *
 * @param table - single-label predictions (typically on the training set, from a previous model).
 * @param labels - the class index each row is labelled with.
 */
export function suspectLabels(
  table: PredictionTable,
  labels: ArrayLike<number>,
  options: SuspectLabelsOptions = {},
): SuspectLabel[] {
  const fn = 'suspectLabels';
  checkPredictionTable(fn, 'table', table);
  const n = table.ids.length;
  const c = table.classes.length;
  checkClassIndices(fn, 'labels', labels, n, c);
  const { minProbability = 0.9 } = checkOptions<SuspectLabelsOptions>(fn, options);
  checkNumber(fn, 'options.minProbability', minProbability, 0, 1);
  const out: SuspectLabel[] = [];
  for (let i = 0; i < n; i++) {
    const p = argmaxAt(table.probs, i * c, c);
    const probability = float32Number(table.probs[i * c + p]!);
    const label = labels[i]!;
    if (p !== label && probability > minProbability) {
      out.push({
        row: i,
        id: table.ids[i]!,
        label: table.classes[label]!,
        predicted: table.classes[p]!,
        probability,
        labelProbability: float32Number(table.probs[i * c + label]!),
      });
    }
  }
  return out.sort((a, b) => b.probability - a.probability || a.row - b.row);
}

/** One row of {@link ambiguousPredictions}. */
export interface AmbiguousPrediction {
  readonly row: number;
  readonly id: string;
  /** The most probable class. */
  readonly predicted: string;
  /** Its probability, within the ambiguity band. */
  readonly probability: number;
  /** The second most probable class (the first one on ties); `null` with a single class. */
  readonly runnerUp: string | null;
  /** Its probability; `null` with a single class. */
  readonly runnerUpProbability: number | null;
}

/** Options of {@link ambiguousPredictions}. */
export interface AmbiguousPredictionsOptions {
  /**
   * Lower end of the band of top probabilities, inclusive.
   * @defaultValue 0.5
   */
  readonly low?: number;
  /**
   * Upper end of the band, inclusive.
   * @defaultValue 0.6
   */
  readonly high?: number;
}

/**
 * Rows whose top probability lies in `[low, high]`: images that may hold several classes at once, which
 * the Intel-scene team removed from training after viewing them. In row order.
 *
 * @param table - single-label predictions.
 */
export function ambiguousPredictions(
  table: PredictionTable,
  options: AmbiguousPredictionsOptions = {},
): AmbiguousPrediction[] {
  const fn = 'ambiguousPredictions';
  checkPredictionTable(fn, 'table', table);
  const { low = 0.5, high = 0.6 } = checkOptions<AmbiguousPredictionsOptions>(fn, options);
  checkNumber(fn, 'options.low', low, 0, 1);
  checkNumber(fn, 'options.high', high, 0, 1);
  if (high < low) throw new InvalidArgumentError(fn, 'options.high', `at least options.low (${low})`, high);
  const n = table.ids.length;
  const c = table.classes.length;
  const out: AmbiguousPrediction[] = [];
  for (let i = 0; i < n; i++) {
    const start = i * c;
    const top = argmaxAt(table.probs, start, c);
    const probability = float32Number(table.probs[start + top]!);
    if (probability < low || probability > high) continue;
    let second = -1;
    for (let j = 0; j < c; j++) {
      if (j !== top && (second < 0 || table.probs[start + j]! > table.probs[start + second]!)) second = j;
    }
    out.push({
      row: i,
      id: table.ids[i]!,
      predicted: table.classes[top]!,
      probability,
      runnerUp: second < 0 ? null : table.classes[second]!,
      runnerUpProbability: second < 0 ? null : float32Number(table.probs[start + second]!),
    });
  }
  return out;
}
