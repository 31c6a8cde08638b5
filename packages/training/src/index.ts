export type { AdamWConfig, AdamWOptions } from './adam-w.js';
export { AdamW, adamW } from './adam-w.js';
export type { ArrayBatchesOptions, ArrayEpochData, ArrayLabels } from './array-batches.js';
export { arrayBatches } from './array-batches.js';
export type { Callback, CallbackContext, CallbackEvent, CallbackState } from './callback.js';
export type { CheckpointOptions } from './checkpoint.js';
export { Checkpoint, checkpoint } from './checkpoint.js';
export type { CheckpointArrayEntry, CheckpointMeta } from './checkpoint-io.js';
export { CheckpointError, readCheckpoint, saveCheckpoint, writeFileAtomic } from './checkpoint-io.js';
export type { ClippedGradients } from './clip-by-global-norm.js';
export { clipByGlobalNorm } from './clip-by-global-norm.js';
export { constant } from './constant.js';
export type { EarlyStoppingOptions } from './early-stopping.js';
export { EarlyStopping, earlyStopping } from './early-stopping.js';
export type { FindLrOptions, LrFinderResult } from './find-lr.js';
export { steepestLr } from './find-lr.js';
export { csvHistory, HistoryLogger, historyToCsv, historyToJsonl, jsonlHistory } from './history-logger.js';
export type { SetTrainableGroupsOptions } from './layer-groups.js';
export {
  defaultLayerGroups,
  discriminativeMultipliers,
  isBatchNormalization,
  setTrainableGroups,
} from './layer-groups.js';
export type {
  EvaluationResult,
  FineTuneOptions,
  FitOneCycleOptions,
  FitOptions,
  FitResult,
  FitSgdrOptions,
  GradualUnfreezeOptions,
  LayerGroups,
  LearnerOptions,
  LearnerState,
  LearnerStateJson,
  Predictions,
} from './learner.js';
export { Learner, microF1 } from './learner.js';
export type { ModelEmaOptions } from './model-ema.js';
export { ModelEma, modelEma } from './model-ema.js';
export type { OneCycleOptions } from './one-cycle.js';
export { oneCycle } from './one-cycle.js';
export type { Optimizer, OptimizerConfig, OptimizerOptions, OptimizerState } from './optimizer.js';
export { isRank1OrScalar } from './optimizer.js';
export type { FeatureSet, FeatureView, PrecomputeFeaturesOptions } from './precompute-features.js';
export { precomputeFeatures } from './precompute-features.js';
export type { ProgressBarOptions, ProgressStream } from './progress-bar.js';
export { ProgressBar, progressBar } from './progress-bar.js';
export type { LabelledArrays, PseudoLabel, PseudoLabelOptions } from './pseudo-label.js';
export { mergePseudoLabels, pseudoLabel } from './pseudo-label.js';
export type { IdxData } from './read-idx.js';
export { readIdx } from './read-idx.js';
export type { PlateauLike, ReduceLROnPlateauOptions } from './reduce-lr-on-plateau.js';
export { ReduceLROnPlateauCallback, reduceLROnPlateau } from './reduce-lr-on-plateau.js';
export type { ImageSize } from './resize-batches.js';
export { resizeBatches } from './resize-batches.js';
export type { SgdConfig, SgdOptions } from './sgd.js';
export { SGD, sgd } from './sgd.js';
export type { SgdrOptions } from './sgdr.js';
export { sgdr } from './sgdr.js';
export { sigmoidBinaryCrossEntropy } from './sigmoid-binary-cross-entropy.js';
export type { SoftmaxCrossEntropyOptions } from './softmax-cross-entropy.js';
export { softmaxCrossEntropy } from './softmax-cross-entropy.js';
export { TerminateOnNaN, TrainingDivergedError, terminateOnNaN } from './terminate-on-nan.js';
export type { TrainHeadOnFeaturesOptions, TrainHeadOnFeaturesResult } from './train-head-on-features.js';
export { trainHeadOnFeatures } from './train-head-on-features.js';
export type {
  Batch,
  BatchSource,
  EpochData,
  Layer,
  Logs,
  LossFunction,
  MetricLoss,
  Model,
  Schedule,
  Task,
} from './types.js';
