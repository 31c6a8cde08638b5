import type { PredictionTable } from '@topk/core';
import { checkOptions } from '@topk/core';
import type { ConfusedPair, MostConfusedOptions } from './most-confused.js';
import { mostConfused } from './most-confused.js';
import type {
  AmbiguousPrediction,
  AmbiguousPredictionsOptions,
  SuspectLabel,
  SuspectLabelsOptions,
} from './suspect-labels.js';
import { ambiguousPredictions, suspectLabels } from './suspect-labels.js';
import type { TopLoss, TopLossesOptions } from './top-losses.js';
import { topLosses } from './top-losses.js';

/** Options of {@link errorReport}: the options of each list. */
export interface ErrorReportOptions {
  readonly topLosses?: TopLossesOptions;
  readonly mostConfused?: MostConfusedOptions;
  readonly suspectLabels?: SuspectLabelsOptions;
  readonly ambiguous?: AmbiguousPredictionsOptions;
}

/** The error-analysis lists of one prediction table, plain JSON. */
export interface ErrorReport {
  readonly topLosses: readonly TopLoss[];
  readonly mostConfused: readonly ConfusedPair[];
  readonly suspectLabels: readonly SuspectLabel[];
  readonly ambiguous: readonly AmbiguousPrediction[];
}

/**
 * All error-analysis lists at once, ready for `JSON.stringify` (or {@link recordsToCsv} per list): the
 * cleaning pass of the Intel-scene write-up (suspect labels and ambiguous images) next to fastai's
 * interpretation lists (top losses, most confused pairs).
 *
 * @param table - single-label predictions.
 * @param labels - the true class index of each row.
 */
export function errorReport(
  table: PredictionTable,
  labels: ArrayLike<number>,
  options: ErrorReportOptions = {},
): ErrorReport {
  const opts = checkOptions<ErrorReportOptions>('errorReport', options);
  return {
    topLosses: topLosses(table, labels, opts.topLosses),
    mostConfused: mostConfused(table, labels, opts.mostConfused),
    suspectLabels: suspectLabels(table, labels, opts.suspectLabels),
    ambiguous: ambiguousPredictions(table, opts.ambiguous),
  };
}
