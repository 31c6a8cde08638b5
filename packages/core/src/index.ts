export { BackendError, describeValue, InvalidArgumentError, TopkError } from './errors.js';
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
  registerTrainingKernels,
  TRAINING_KERNEL_NAMES,
} from './training-kernels.js';
