import type { CombineSchedulesConfig } from './combine-schedules.js';
import type { ConstantConfig } from './constant.js';
import type { CosineAnnealingConfig } from './cosine-annealing.js';
import type { ExponentialDecayConfig } from './exponential-decay.js';
import type { LinearConfig } from './linear.js';
import type { MultiStepDecayConfig } from './multi-step-decay.js';
import type { OneCycleConfig } from './one-cycle.js';
import type { PerEpochConfig } from './per-epoch.js';
import type { PolynomialDecayConfig } from './polynomial-decay.js';
import type { SgdrConfig } from './sgdr.js';
import type { StepDecayConfig } from './step-decay.js';
import { checkStep } from './validate.js';
import type { WarmupCosineConfig } from './warmup-cosine.js';

/**
 * The plain-JSON description of any schedule, discriminated by `type`. Every factory fills in its
 * defaults, so a saved config rebuilds the same curve even if a default changes later.
 */
export type ScheduleConfig =
  | ConstantConfig
  | StepDecayConfig
  | MultiStepDecayConfig
  | ExponentialDecayConfig
  | PolynomialDecayConfig
  | LinearConfig
  | CosineAnnealingConfig
  | SgdrConfig
  | WarmupCosineConfig
  | OneCycleConfig
  | CombineSchedulesConfig
  | PerEpochConfig;

/** The `type` of a {@link ScheduleConfig}. */
export type ScheduleType = ScheduleConfig['type'];

/**
 * A learning-rate schedule: a pure function from the optimizer step (0-based; fractional steps allowed)
 * to the learning rate, carrying the plain-JSON config it was built from.
 */
export interface Schedule<C extends ScheduleConfig = ScheduleConfig> {
  (step: number): number;
  /** The complete, frozen config; `scheduleFromConfig(schedule.config)` rebuilds the same schedule. */
  readonly config: C;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/**
 * Wraps a closed-form `lr(step)` into a {@link Schedule}: checks the step, attaches the frozen config.
 * Not exported from the package: factories are the public way in.
 */
export function makeSchedule<C extends ScheduleConfig, E extends object = object>(
  fn: string,
  config: C,
  lr: (step: number) => number,
  extra?: E,
): Schedule<C> & E {
  const schedule = (step: number): number => lr(checkStep(fn, step));
  Object.defineProperty(schedule, 'config', { value: deepFreeze(config), enumerable: true });
  if (extra !== undefined) Object.assign(schedule, extra);
  return schedule as Schedule<C> & E;
}

/** Half-cosine from `start` (at pos 0) to `end` (at pos 1), fastai's `sched_cos`; exact at both ends. */
export function cosineBetween(start: number, end: number, pos: number): number {
  if (pos <= 0) return start;
  if (pos >= 1) return end;
  return end + ((start - end) * (1 + Math.cos(Math.PI * pos))) / 2;
}
