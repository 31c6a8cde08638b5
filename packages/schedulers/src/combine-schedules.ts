import { InvalidArgumentError } from '@topk/core';
import { makeSchedule, type Schedule, type ScheduleConfig } from './schedule.js';
import { checkOptions, isFiniteNumber } from './validate.js';

/** One phase of {@link combineSchedules}. */
export interface SchedulePhase {
  /** Length of the phase in steps (> 0). The last phase also covers every step after it. */
  readonly steps: number;
  /** The schedule of this phase, evaluated at the step counted from the phase's start. */
  readonly schedule: Schedule;
}

/** Options of {@link combineSchedules}. */
export interface CombineSchedulesOptions {
  /** The phases, in order; at least one. */
  readonly phases: readonly SchedulePhase[];
}

/** A phase of a {@link CombineSchedulesConfig}. */
export interface SchedulePhaseConfig {
  readonly steps: number;
  readonly schedule: ScheduleConfig;
}

/** Config of {@link combineSchedules}. */
export interface CombineSchedulesConfig {
  readonly type: 'combine';
  readonly phases: readonly SchedulePhaseConfig[];
}

/**
 * Runs schedules one after another (fastai's `combine_scheds`). fastai splits a run by fractions of its
 * length because its schedules see progress in [0, 1]; here schedules see steps, so each phase gives its
 * length in steps (fraction × total steps) and its schedule is called with the step counted from the start
 * of the phase.
 *
 * @example
 * ```ts
 * // fastai's fit_flat_cos: flat for 75% of 1000 steps, then a cosine down.
 * const schedule = combineSchedules({
 *   phases: [
 *     { steps: 750, schedule: constant({ lr: 1e-3 }) },
 *     { steps: 250, schedule: cosineAnnealing({ lr: 1e-3, totalSteps: 250 }) },
 *   ],
 * });
 * ```
 */
export function combineSchedules(options: CombineSchedulesOptions): Schedule<CombineSchedulesConfig> {
  const fn = 'combineSchedules';
  checkOptions(fn, options);
  const { phases } = options;
  if (!Array.isArray(phases) || phases.length === 0) {
    throw new InvalidArgumentError(fn, 'phases', 'a non-empty array', phases);
  }
  const starts: number[] = [];
  let total = 0;
  phases.forEach((phase: unknown, i) => {
    const { steps, schedule } = (phase ?? {}) as Partial<SchedulePhase>;
    if (!isFiniteNumber(steps) || steps <= 0) {
      throw new InvalidArgumentError(fn, `phases[${i}].steps`, 'a finite number > 0', steps);
    }
    if (typeof schedule !== 'function' || typeof schedule.config !== 'object') {
      throw new InvalidArgumentError(
        fn,
        `phases[${i}].schedule`,
        'a schedule made by a topk factory',
        schedule,
      );
    }
    starts.push(total);
    total += steps;
  });
  const parts = phases.map((phase) => phase.schedule);
  const config: CombineSchedulesConfig = {
    type: 'combine',
    phases: phases.map((phase) => ({ steps: phase.steps, schedule: phase.schedule.config })),
  };
  return makeSchedule(fn, config, (step) => {
    let index = starts.length - 1;
    while (index > 0 && starts[index]! > step) index--;
    return parts[index]!(step - starts[index]!);
  });
}
