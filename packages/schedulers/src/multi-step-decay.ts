import { InvalidArgumentError } from '@topk/core';
import { makeSchedule, type Schedule } from './schedule.js';
import { checkNonNegative, checkOptions, checkPositive, isFiniteNumber } from './validate.js';

/** Options of {@link multiStepDecay}. */
export interface MultiStepDecayOptions {
  /** Learning rate before the first milestone. */
  readonly lr: number;
  /** Steps at which the rate is multiplied by `gamma`, strictly increasing and > 0. */
  readonly milestones: readonly number[];
  /**
   * Factor applied at every milestone.
   * @defaultValue 0.1
   */
  readonly gamma?: number;
}

/** Config of {@link multiStepDecay}. */
export interface MultiStepDecayConfig {
  readonly type: 'multiStep';
  readonly lr: number;
  readonly milestones: readonly number[];
  readonly gamma: number;
}

/**
 * Multi-step decay (PyTorch's `MultiStepLR`): `lr · gamma^k` where k counts the milestones ≤ step, so the
 * decay takes effect at the milestone step itself.
 *
 * @example
 * ```ts
 * const schedule = multiStepDecay({ lr: 0.1, milestones: [30, 80] }); // 0.1, then 0.01 from 30, 0.001 from 80
 * ```
 */
export function multiStepDecay(options: MultiStepDecayOptions): Schedule<MultiStepDecayConfig> {
  const fn = 'multiStepDecay';
  checkOptions(fn, options);
  const lr = checkNonNegative(fn, 'lr', options.lr);
  const gamma = checkPositive(fn, 'gamma', options.gamma ?? 0.1);
  const { milestones } = options;
  const increasing =
    Array.isArray(milestones) &&
    milestones.every(
      (m: unknown, i) => isFiniteNumber(m) && m > 0 && (i === 0 || m > (milestones[i - 1] as number)),
    );
  if (!increasing) {
    throw new InvalidArgumentError(
      fn,
      'milestones',
      'an array of strictly increasing numbers > 0',
      milestones,
    );
  }
  const copy = [...milestones];
  return makeSchedule(fn, { type: 'multiStep', lr, milestones: copy, gamma }, (step) => {
    let passed = 0;
    while (passed < copy.length && copy[passed]! <= step) passed++;
    return lr * gamma ** passed;
  });
}
