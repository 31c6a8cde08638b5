import { checkInteger, checkOptions, InvalidArgumentError } from '@topk/core';
import type { ClassOutcomes } from './class-outcomes.js';
import type { ScoreOptions } from './scores.js';
import { averageScores, checkOutcomes, perClassScores } from './scores.js';

/** Precision, recall, F1 and support of one line of a {@link ClassificationReport}. */
export interface ClassificationReportRow {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** True occurrences: rows of the class (per class), or all labels (averages). */
  readonly support: number;
}

/** A class's line of a {@link ClassificationReport}. */
export interface ClassificationReportClass extends ClassificationReportRow {
  readonly name: string;
}

/**
 * scikit-learn's `classification_report` as plain JSON: per-class scores, then accuracy (single-label) or
 * the micro average (multi-label), the macro average and the support-weighted average.
 */
export interface ClassificationReport {
  readonly classes: readonly ClassificationReportClass[];
  /** Single-label only: fraction of rows predicted correctly (equal to micro-averaged F1). */
  readonly accuracy?: number;
  /** Multi-label only: scores from counts summed over classes. */
  readonly microAvg?: ClassificationReportRow;
  readonly macroAvg: ClassificationReportRow;
  readonly weightedAvg: ClassificationReportRow;
  /** Number of rows the counts came from. */
  readonly samples: number;
}

/**
 * Builds a classification report from per-class counts. Every class gets a line, including classes that
 * never occur (support 0), and all of them count in the averages (see {@link averageScores}).
 *
 * @param outcomes - from {@link countOutcomes} or {@link countMultiLabelOutcomes}.
 * @param classes - class names, one per class index.
 *
 * @example
 * ```ts
 * const outcomes = countOutcomes(labels, predictedClasses(table), table.classes.length);
 * console.log(formatClassificationReport(classificationReport(outcomes, table.classes)));
 * ```
 */
export function classificationReport(
  outcomes: ClassOutcomes,
  classes: readonly string[],
  options: ScoreOptions = {},
): ClassificationReport {
  const fn = 'classificationReport';
  const c = checkOutcomes(fn, outcomes).numClasses;
  if (!Array.isArray(classes) || classes.length !== c || !classes.every((x) => typeof x === 'string')) {
    throw new InvalidArgumentError(fn, 'classes', `an array of ${c} class names`, classes);
  }
  const scores = perClassScores(outcomes, options);
  const rows = classes.map((name, j) => ({
    name,
    precision: scores.precision[j]!,
    recall: scores.recall[j]!,
    f1: scores.f1[j]!,
    support: scores.support[j]!,
  }));
  const micro = averageScores(outcomes, 'micro', options);
  const macroAvg = averageScores(outcomes, 'macro', options);
  const weightedAvg = averageScores(outcomes, 'weighted', options);
  const common = { classes: rows, macroAvg, weightedAvg, samples: outcomes.samples };
  return outcomes.multiLabel ? { ...common, microAvg: micro } : { ...common, accuracy: micro.f1 };
}

/** Options of {@link formatClassificationReport}. */
export interface FormatClassificationReportOptions {
  /**
   * Digits after the decimal point.
   * @defaultValue 2
   */
  readonly digits?: number;
}

/**
 * The report as text, laid out exactly as scikit-learn prints it (right-aligned columns of width 9, a
 * blank line after the header and after the classes). Numbers are rounded with `toFixed`, which differs
 * from Python's formatting only on exact binary ties such as 0.125.
 *
 * @param report - from {@link classificationReport}.
 */
export function formatClassificationReport(
  report: ClassificationReport,
  options: FormatClassificationReportOptions = {},
): string {
  const fn = 'formatClassificationReport';
  if (typeof report !== 'object' || report === null || !Array.isArray(report.classes)) {
    throw new InvalidArgumentError(fn, 'report', 'a ClassificationReport', report);
  }
  const { digits = 2 } = checkOptions<FormatClassificationReportOptions>(fn, options);
  checkInteger(fn, 'options.digits', digits, 0);
  const lastHeading = 'weighted avg';
  const width = Math.max(lastHeading.length, digits, ...report.classes.map((row) => row.name.length));
  const col = (text: string): ` ${string}` => ` ${text.padStart(9)}`;
  const num = (v: number): string => col(v.toFixed(digits));
  const line = (heading: string, row: ClassificationReportRow): string =>
    `${heading.padStart(width)} ${num(row.precision)}${num(row.recall)}${num(row.f1)}${col(String(row.support))}\n`;
  let text = `${''.padStart(width)} ${['precision', 'recall', 'f1-score', 'support'].map(col).join('')}\n\n`;
  for (const row of report.classes) text += line(row.name, row);
  text += '\n';
  if (report.accuracy !== undefined) {
    const support = report.weightedAvg.support;
    text += `${'accuracy'.padStart(width)} ${col('')}${col('')}${num(report.accuracy)}${col(String(support))}\n`;
  }
  if (report.microAvg !== undefined) text += line('micro avg', report.microAvg);
  text += line('macro avg', report.macroAvg);
  text += line(lastHeading, report.weightedAvg);
  return text;
}
