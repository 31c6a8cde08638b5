/**
 * `@topk/schedulers`: learning-rate schedules as pure `(step) => lr` functions with plain-JSON configs,
 * `ReduceLROnPlateau`, and the LR range test.
 *
 * @packageDocumentation
 */
export type {
  CombineSchedulesConfig,
  CombineSchedulesOptions,
  SchedulePhase,
  SchedulePhaseConfig,
} from './combine-schedules.js';
export { combineSchedules } from './combine-schedules.js';
export type { ConstantConfig, ConstantOptions } from './constant.js';
export { constant } from './constant.js';
export type { CosineAnnealingConfig, CosineAnnealingOptions } from './cosine-annealing.js';
export { cosineAnnealing } from './cosine-annealing.js';
export type { ExponentialDecayConfig, ExponentialDecayOptions } from './exponential-decay.js';
export { exponentialDecay } from './exponential-decay.js';
export type { FindLrOptions, FindLrResult, FindLrStopReason } from './find-lr.js';
export { findLr } from './find-lr.js';
export type { LinearConfig, LinearOptions } from './linear.js';
export { linear } from './linear.js';
export type { LrSuggestion, LrSuggestionFunction } from './lr-suggestions.js';
export { minimum, steep, valley } from './lr-suggestions.js';
export type { MultiStepDecayConfig, MultiStepDecayOptions } from './multi-step-decay.js';
export { multiStepDecay } from './multi-step-decay.js';
export type { OneCycleConfig, OneCycleOptions, OneCycleSchedule } from './one-cycle.js';
export { oneCycle } from './one-cycle.js';
export type { EpochStepping, PerEpochConfig, PerEpochOptions } from './per-epoch.js';
export { perEpoch } from './per-epoch.js';
export type { PolynomialDecayConfig, PolynomialDecayOptions } from './polynomial-decay.js';
export { polynomialDecay } from './polynomial-decay.js';
export type {
  PlateauMode,
  PlateauThresholdMode,
  ReduceLROnPlateauConfig,
  ReduceLROnPlateauOptions,
  ReduceLROnPlateauState,
} from './reduce-lr-on-plateau.js';
export { ReduceLROnPlateau } from './reduce-lr-on-plateau.js';
export type { Schedule, ScheduleConfig, ScheduleType } from './schedule.js';
export { SCHEDULE_TYPES, scheduleFromConfig } from './schedule-from-config.js';
export type { SgdrConfig, SgdrCycle, SgdrOptions } from './sgdr.js';
export { sgdr, sgdrCycle } from './sgdr.js';
export type { StepDecayConfig, StepDecayOptions } from './step-decay.js';
export { stepDecay } from './step-decay.js';
export type { WarmupCosineConfig, WarmupCosineOptions } from './warmup-cosine.js';
export { warmupCosine } from './warmup-cosine.js';
