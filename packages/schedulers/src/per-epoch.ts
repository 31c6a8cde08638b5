import { InvalidArgumentError } from '@topk/core';
import { makeSchedule, type Schedule, type ScheduleConfig } from './schedule.js';
import { checkOptions, checkPositive } from './validate.js';

/** How {@link perEpoch} turns a step into an epoch. */
export type EpochStepping = 'epoch' | 'step';

/** Options of {@link perEpoch}. */
export interface PerEpochOptions {
  /** A schedule whose unit is the epoch (`cycleLength: 10` meaning ten epochs, and so on). */
  readonly schedule: Schedule;
  /** Optimizer steps (batches) per epoch. */
  readonly stepsPerEpoch: number;
  /**
   * `'epoch'`: the rate changes only at epoch boundaries, `schedule(⌊step / stepsPerEpoch⌋)` (Keras'
   * `LearningRateScheduler`, PyTorch schedulers stepped once per epoch). `'step'`: it changes every step,
   * `schedule(step / stepsPerEpoch)` (timm's `t_in_epochs=False`).
   * @defaultValue 'epoch'
   */
  readonly stepping?: EpochStepping;
}

/** Config of {@link perEpoch}. */
export interface PerEpochConfig {
  readonly type: 'perEpoch';
  readonly stepsPerEpoch: number;
  readonly stepping: EpochStepping;
  readonly schedule: ScheduleConfig;
}

/**
 * Evaluates a schedule written in epochs at optimizer steps, either held for the whole epoch or
 * interpolated within it.
 *
 * @example
 * ```ts
 * // SGDR restarting every epoch, as fastai's fit_sgdr: the rate falls within each epoch.
 * const schedule = perEpoch({ schedule: sgdr({ lr: 0.01, cycleLength: 1 }), stepsPerEpoch: 390, stepping: 'step' });
 * ```
 */
export function perEpoch(options: PerEpochOptions): Schedule<PerEpochConfig> {
  const fn = 'perEpoch';
  checkOptions(fn, options);
  const { schedule } = options;
  if (typeof schedule !== 'function' || typeof schedule.config !== 'object') {
    throw new InvalidArgumentError(fn, 'schedule', 'a schedule made by a topk factory', schedule);
  }
  const stepsPerEpoch = checkPositive(fn, 'stepsPerEpoch', options.stepsPerEpoch);
  const stepping = options.stepping ?? 'epoch';
  if (stepping !== 'epoch' && stepping !== 'step') {
    throw new InvalidArgumentError(fn, 'stepping', "'epoch' or 'step'", stepping);
  }
  const config = { type: 'perEpoch', stepsPerEpoch, stepping, schedule: schedule.config } as const;
  return makeSchedule(fn, config, (step) => {
    const epoch = step / stepsPerEpoch;
    return schedule(stepping === 'epoch' ? Math.floor(epoch) : epoch);
  });
}
