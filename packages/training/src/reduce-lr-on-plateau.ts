import { InvalidArgumentError } from '@topk/core';
import { type Callback, type CallbackContext, type CallbackState, inferMode } from './callback.js';
import {
  checkInRange,
  checkNonNegative,
  checkNonNegativeInteger,
  checkOneOf,
  checkOptions,
  checkString,
} from './validate.js';

/**
 * A plateau detector: `observe(metric)` once per epoch returns the factor (or learning rate) to use from
 * then on. `@topk/schedulers`' `ReduceLROnPlateau` fits: build it with `lr: 1` and its rate is the factor.
 */
export interface PlateauLike {
  observe(metric: number): number;
  getState?(): unknown;
  setState?(state: never): void;
}

/** Options of {@link reduceLROnPlateau}; the defaults are PyTorch's `ReduceLROnPlateau`. */
export interface ReduceLROnPlateauOptions {
  /** @defaultValue 'valid_loss' */
  readonly monitor?: string;
  /** @defaultValue `min` for names with "loss" or "error", else `max` */
  readonly mode?: 'min' | 'max';
  /**
   * The learning rate is multiplied by this on a plateau, in (0, 1).
   * @defaultValue 0.1
   */
  readonly factor?: number;
  /**
   * Epochs without improvement tolerated; the rate drops on the next one.
   * @defaultValue 10
   */
  readonly patience?: number;
  /**
   * Relative improvement needed: below `best·(1 − threshold)` in `min` mode, above `best·(1 + threshold)`
   * in `max` mode.
   * @defaultValue 1e-4
   */
  readonly threshold?: number;
  /**
   * Epochs after a reduction during which bad epochs are not counted.
   * @defaultValue 0
   */
  readonly cooldown?: number;
  /**
   * The factor never goes below this.
   * @defaultValue 0
   */
  readonly minScale?: number;
  /** Use this detector instead of the built-in one (e.g. `@topk/schedulers`' `ReduceLROnPlateau` with `lr: 1`). */
  readonly plateau?: PlateauLike;
}

interface LocalPlateauState {
  readonly scale: number;
  readonly best: number | null;
  readonly bad: number;
  readonly cooldownLeft: number;
}

/** PyTorch's rule, on a scale that starts at 1. */
function localPlateau(
  mode: 'min' | 'max',
  factor: number,
  patience: number,
  threshold: number,
  cooldown: number,
  minScale: number,
): PlateauLike & { getState(): LocalPlateauState; setState(state: LocalPlateauState): void } {
  let scale = 1;
  let best = Number.NaN;
  let bad = 0;
  let cooldownLeft = 0;
  return {
    observe(metric: number): number {
      const better =
        Number.isFinite(metric) &&
        (Number.isNaN(best) ||
          (mode === 'min' ? metric < best * (1 - threshold) : metric > best * (1 + threshold)));
      if (better) {
        best = metric;
        bad = 0;
      } else {
        bad++;
      }
      if (cooldownLeft > 0) {
        cooldownLeft--;
        bad = 0;
      }
      if (bad > patience) {
        scale = Math.max(scale * factor, minScale);
        cooldownLeft = cooldown;
        bad = 0;
      }
      return scale;
    },
    getState: () => ({ scale, best: Number.isNaN(best) ? null : best, bad, cooldownLeft }),
    setState(state: LocalPlateauState) {
      scale = state.scale;
      best = state.best ?? Number.NaN;
      bad = state.bad;
      cooldownLeft = state.cooldownLeft;
    },
  };
}

/**
 * Lowers the learning rate when a metric stops improving (the iMaterialist team's callback, field note
 * 004): at each epoch end the monitored value goes to the plateau detector and the factor it returns
 * becomes `learner.lrScale`, which multiplies whatever schedule the fit runs.
 */
export class ReduceLROnPlateauCallback implements Callback {
  readonly name = 'reduceLROnPlateau';
  readonly order = 5;
  readonly monitor: string;
  readonly plateau: PlateauLike;

  constructor(options: ReduceLROnPlateauOptions = {}) {
    const fn = 'reduceLROnPlateau';
    checkOptions(fn, options);
    this.monitor = checkString(fn, 'monitor', options.monitor ?? 'valid_loss');
    if (options.plateau !== undefined) {
      if (typeof options.plateau?.observe !== 'function') {
        throw new InvalidArgumentError(fn, 'plateau', 'an object with observe(metric)', options.plateau);
      }
      this.plateau = options.plateau;
      return;
    }
    const mode = checkOneOf(fn, 'mode', options.mode ?? inferMode(this.monitor), ['min', 'max'] as const);
    const factor = checkInRange(fn, 'factor', options.factor ?? 0.1, 0, 1);
    if (factor === 0) throw new InvalidArgumentError(fn, 'factor', 'in (0, 1)', factor);
    this.plateau = localPlateau(
      mode,
      factor,
      checkNonNegativeInteger(fn, 'patience', options.patience ?? 10),
      checkNonNegative(fn, 'threshold', options.threshold ?? 1e-4),
      checkNonNegativeInteger(fn, 'cooldown', options.cooldown ?? 0),
      checkNonNegative(fn, 'minScale', options.minScale ?? 0),
    );
  }

  onEpochEnd({ learner, logs }: CallbackContext): void {
    const value = logs[this.monitor];
    if (value === undefined) {
      throw new InvalidArgumentError(
        'reduceLROnPlateau',
        'monitor',
        `one of the epoch logs (${Object.keys(logs).join(', ')})`,
        this.monitor,
      );
    }
    const scale = this.plateau.observe(value);
    if (typeof scale !== 'number' || !(scale >= 0)) {
      throw new InvalidArgumentError('reduceLROnPlateau', 'plateau.observe(metric)', 'a number >= 0', scale);
    }
    learner.lrScale = scale;
    logs.lrScale = scale;
  }

  getState(): CallbackState {
    return { json: this.plateau.getState?.() ?? null };
  }

  setState(state: CallbackState): void {
    if (state.json !== null && state.json !== undefined) this.plateau.setState?.(state.json as never);
  }
}

/** Creates a {@link ReduceLROnPlateauCallback}. */
export function reduceLROnPlateau(options: ReduceLROnPlateauOptions = {}): ReduceLROnPlateauCallback {
  return new ReduceLROnPlateauCallback(options);
}
