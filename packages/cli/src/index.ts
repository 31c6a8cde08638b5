/**
 * `@topk/cli`: the `topk` command. Import it to run the CLI in-process (tests, scripts) or to reuse its
 * file formats (prediction CSV reading with usage errors) and the HTML report. Embeddings files are
 * `@topk/cluster`'s (`readEmbeddingsFile`, `writeEmbeddingsFile`).
 *
 * @packageDocumentation
 */
export type { AlignedLabels } from './align-labels.js';
export { alignLabels } from './align-labels.js';
export type { CliIo, CliStream } from './cli-io.js';
export { processIo } from './cli-io.js';
export type {
  ClusterEmbedPayload,
  ClusterHandlers,
  ClusterHandlersOptions,
  ClusterPredictPayload,
} from './cluster-handlers.js';
export { createClusterHandlers } from './cluster-handlers.js';
export type { Command, CommandContext, CommandDefinition } from './command.js';
export { defineCommand, formatCommandHelp } from './command.js';
export { COMMANDS } from './commands.js';
export type {
  FlagEnv,
  FlagSchema,
  FlagSpec,
  FlagSpecs,
  FlagValue,
  FlagValues,
  ListFlag,
  PathKind,
  SwitchFlag,
  ValueFlag,
} from './flags.js';
export {
  choiceValue,
  existingPath,
  flagName,
  integerValue,
  listFlag,
  numberValue,
  outputPath,
  stringValue,
  switchFlag,
  valueFlag,
} from './flags.js';
export type { HtmlReportInput, ReportExample, ReportMetric } from './html-report.js';
export { renderHtmlReport } from './html-report.js';
export type { DatasetFormat, LoadDatasetOptions, LoadedDataset } from './load-dataset.js';
export { loadDataset } from './load-dataset.js';
export type { ParsedFlags } from './parse-flags.js';
export { parseFlags } from './parse-flags.js';
export { readPredictionFile } from './prediction-file.js';
export type { ProgressBar, ProgressBarOptions } from './progress-bar.js';
export { createProgressBar } from './progress-bar.js';
export type { HistoryRow } from './read-history.js';
export { readHistory } from './read-history.js';
export type { RunCliOptions } from './run-cli.js';
export { formatCommandList, runCli } from './run-cli.js';
export type { ScoreMetric } from './score-predictions.js';
export { defaultScoreMetric, SCORE_METRICS, scoreDirection, scorePredictions } from './score-predictions.js';
export type { ChartSeries, LineChartOptions } from './svg-line-chart.js';
export { lineChartSvg } from './svg-line-chart.js';
export type { ThumbnailOptions } from './thumbnail.js';
export { thumbnailDataUri } from './thumbnail.js';
export type { UsageErrorOptions } from './usage-error.js';
export { USAGE_EXIT_CODE, UsageError } from './usage-error.js';
