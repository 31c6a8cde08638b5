export type { ClassVocabularyJSON, ClassVocabularyOptions } from './class-vocabulary.js';
export { ClassVocabulary } from './class-vocabulary.js';
export { BackendError, describeValue, InvalidArgumentError, TopkError } from './errors.js';
export { registerFastBatchNorm } from './fast-batch-norm.js';
export { registerFastGradients } from './fast-gradients.js';
export type { FuseForInferenceOptions, FusionReport, InferenceModel } from './fuse-for-inference.js';
export { fuseForInference } from './fuse-for-inference.js';
export type { NativeKernelStatus } from './kernels/native/native-kernels.js';
export {
  nativeKernelStatus,
  prepareNativeKernels,
  setNativeKernelsEnabled,
} from './kernels/native/native-kernels.js';
export { createPredictionTable, predictionRow } from './prediction-table.js';
export type { MutableArrayLike, RngSampleOptions, RngSeed, RngState } from './rng.js';
export { Rng } from './rng.js';
export type {
  BackendAttempt,
  BackendName,
  BackendPurpose,
  BackendSelection,
  RuntimeEnvironment,
  SelectBackendOptions,
} from './select-backend.js';
export {
  BACKEND_NAMES,
  defaultBackendOrder,
  formatBackendSelection,
  runtimeEnvironment,
  selectBackend,
} from './select-backend.js';
export type { TrainingKernelReport } from './training-kernels.js';
export {
  missingTrainingKernels,
  prepareWasmSimdKernels,
  registerTrainingKernels,
  TRAINING_KERNEL_NAMES,
} from './training-kernels.js';
export type { ImageBatch, MultiLabel, PredictionTable, SingleLabel } from './types.js';
export {
  checkBoolean,
  checkInteger,
  checkNonNegative,
  checkNumber,
  checkOneOf,
  checkOptions,
  checkPositive,
  checkPositiveInteger,
  checkPredictionTable,
  isFiniteNumber,
  isNumericArrayLike,
} from './validate.js';
export type {
  WasmThreadsNodeOptions,
  WasmThreadsNodeResult,
  WasmThreadsNodeStatus,
} from './wasm-threads-node.js';
export { getWasmThreadsNodeStatus, prepareWasmThreadsForNode } from './wasm-threads-node.js';
