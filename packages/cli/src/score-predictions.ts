import type { PredictionTable } from '@topk/core';
import {
  accuracy,
  applyThresholds,
  binaryLogLoss,
  countMultiLabelOutcomes,
  countOutcomes,
  f1Score,
  logLoss,
  predictedClasses,
} from '@topk/thresholding';
import type { AlignedLabels } from './align-labels.js';

/** Metrics the CLI scores prediction tables with (`--metric`). */
export type ScoreMetric = 'accuracy' | 'log-loss' | 'f1-micro' | 'f1-macro';

/** Every {@link ScoreMetric}, for flag choices. */
export const SCORE_METRICS = ['accuracy', 'log-loss', 'f1-micro', 'f1-macro'] as const;

/** Whether larger values of `metric` are better. */
export function scoreDirection(metric: ScoreMetric): 'maximize' | 'minimize' {
  return metric === 'log-loss' ? 'minimize' : 'maximize';
}

/** The default metric: log-loss for single-label data (smooth, so weight searches move), micro-F1 for multi-label. */
export function defaultScoreMetric(multiLabel: boolean): ScoreMetric {
  return multiLabel ? 'f1-micro' : 'log-loss';
}

/**
 * Scores a table against aligned labels. Single-label: accuracy, log-loss (sklearn's `log_loss`), F1 of
 * the argmax. Multi-label: binary log-loss over every cell, F1 of the decisions `p >= 0.5`;
 * accuracy is not defined there and throws.
 *
 * @param metric - what to compute.
 * @param table - predictions in the labels' row order.
 * @param labels - from {@link alignLabels}.
 */
export function scorePredictions(metric: ScoreMetric, table: PredictionTable, labels: AlignedLabels): number {
  const c = table.classes.length;
  if (labels.labels !== undefined) {
    const actual = labels.labels;
    switch (metric) {
      case 'accuracy':
        return accuracy(table, actual);
      case 'log-loss':
        return logLoss(table, actual);
      case 'f1-micro':
      case 'f1-macro':
        return f1Score(
          countOutcomes(actual, predictedClasses(table), c),
          metric === 'f1-micro' ? 'micro' : 'macro',
        );
    }
  }
  switch (metric) {
    case 'accuracy':
      throw new RangeError('accuracy is defined for single-label data; use f1-micro or f1-macro');
    case 'log-loss':
      return binaryLogLoss(table, labels.targets);
    case 'f1-micro':
    case 'f1-macro':
      return f1Score(
        countMultiLabelOutcomes(labels.targets, applyThresholds(table, 0.5), c),
        metric === 'f1-micro' ? 'micro' : 'macro',
      );
  }
}
