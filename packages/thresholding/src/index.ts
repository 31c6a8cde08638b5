export { accuracy, topKAccuracy } from './accuracy.js';
export { averagePrecisionAtK, meanAveragePrecisionAtK } from './average-precision.js';
export type { ClassOutcomes } from './class-outcomes.js';
export { countMultiLabelOutcomes, countOutcomes } from './class-outcomes.js';
export type {
  ClassificationReport,
  ClassificationReportClass,
  ClassificationReportRow,
  FormatClassificationReportOptions,
} from './classification-report.js';
export { classificationReport, formatClassificationReport } from './classification-report.js';
export type {
  ConfusionMatrix,
  ConfusionMatrixOptions,
  ConfusionNormalization,
  FormatConfusionMatrixOptions,
} from './confusion-matrix.js';
export { CONFUSION_NORMALIZATIONS, confusionMatrix, formatConfusionMatrix } from './confusion-matrix.js';
export type { CsvValue, RecordsToCsvOptions } from './csv.js';
export { formatCsv, formatCsvField, parseCsv, recordsToCsv } from './csv.js';
export type { ErrorReport, ErrorReportOptions } from './error-report.js';
export { errorReport } from './error-report.js';
export type { LogLossOptions } from './log-loss.js';
export { binaryLogLoss, logLoss } from './log-loss.js';
export type { ConfusedPair, MostConfusedOptions } from './most-confused.js';
export { mostConfused } from './most-confused.js';
export { multiHot } from './multi-hot.js';
export { predictedClasses } from './predicted-classes.js';
export type { FormatPredictionCsvOptions, ParsePredictionCsvOptions } from './prediction-csv.js';
export { formatPredictionCsv, parsePredictionCsv } from './prediction-csv.js';
export type { Average, AveragedScores, PerClassScores, ScoreOptions } from './scores.js';
export { AVERAGES, averageScores, f1Score, perClassScores } from './scores.js';
export type {
  AmbiguousPrediction,
  AmbiguousPredictionsOptions,
  SuspectLabel,
  SuspectLabelsOptions,
} from './suspect-labels.js';
export { ambiguousPredictions, suspectLabels } from './suspect-labels.js';
export type {
  GlobalThresholdResult,
  ThresholdAverage,
  ThresholdSearchOptions,
  ThresholdSearchResult,
} from './threshold-search.js';
export { searchClassThresholds, searchGlobalThreshold } from './threshold-search.js';
export type {
  ApplyThresholdsOptions,
  ClassThresholds,
  ClassThresholdsJSON,
  CreateClassThresholdsOptions,
} from './thresholds.js';
export {
  applyThresholds,
  createClassThresholds,
  thresholdsFromJSON,
  thresholdsToJSON,
} from './thresholds.js';
export type { TopLoss, TopLossesOptions } from './top-losses.js';
export { topLosses } from './top-losses.js';
