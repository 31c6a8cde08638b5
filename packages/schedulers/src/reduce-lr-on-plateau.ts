import { InvalidArgumentError } from '@topk/core';
import { checkInRange, checkNonNegative, checkOptions, isFiniteNumber } from './validate.js';

/** Whether a smaller (`'min'`, losses) or a larger (`'max'`, accuracies) metric is better. */
export type PlateauMode = 'min' | 'max';

/** Whether `threshold` is relative to the best metric (`'rel'`) or in the metric's units (`'abs'`). */
export type PlateauThresholdMode = 'rel' | 'abs';

/** Options of {@link ReduceLROnPlateau}; the defaults are PyTorch's `ReduceLROnPlateau`. */
export interface ReduceLROnPlateauOptions {
  /** Learning rate to start from. */
  readonly lr: number;
  /**
   * Direction of improvement.
   * @defaultValue 'min'
   */
  readonly mode?: PlateauMode;
  /**
   * The rate is multiplied by `factor` (in (0, 1)) on a plateau.
   * @defaultValue 0.1
   */
  readonly factor?: number;
  /**
   * Observations without improvement tolerated; the rate drops on the next one.
   * @defaultValue 10
   */
  readonly patience?: number;
  /**
   * Smallest change that counts as an improvement; see `thresholdMode`.
   * @defaultValue 1e-4
   */
  readonly threshold?: number;
  /**
   * `'rel'`: better means below `best · (1 − threshold)` (min) or above `best · (1 + threshold)` (max).
   * `'abs'`: below `best − threshold` or above `best + threshold`.
   * @defaultValue 'rel'
   */
  readonly thresholdMode?: PlateauThresholdMode;
  /**
   * Observations after a reduction during which bad observations are not counted.
   * @defaultValue 0
   */
  readonly cooldown?: number;
  /**
   * The rate never goes below `minLr`.
   * @defaultValue 0
   */
  readonly minLr?: number;
  /**
   * A reduction smaller than `eps` is skipped.
   * @defaultValue 1e-8
   */
  readonly eps?: number;
}

/** Config of {@link ReduceLROnPlateau}: every option, defaults filled in. */
export interface ReduceLROnPlateauConfig {
  readonly type: 'reduceLROnPlateau';
  readonly lr: number;
  readonly mode: PlateauMode;
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: PlateauThresholdMode;
  readonly cooldown: number;
  readonly minLr: number;
  readonly eps: number;
}

/** The mutable part of a {@link ReduceLROnPlateau}, as plain JSON for checkpoints. */
export interface ReduceLROnPlateauState {
  /** Current learning rate. */
  readonly lr: number;
  /** Best metric so far; `null` before the first observation. */
  readonly best: number | null;
  /** Observations since the last improvement (not counting cooldown). */
  readonly badObservations: number;
  /** Observations of cooldown left. */
  readonly cooldownLeft: number;
  /** Observations so far. */
  readonly observations: number;
}

function checkCount(fn: string, argument: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new InvalidArgumentError(fn, argument, 'a non-negative integer', value);
  }
  return value as number;
}

/**
 * Lowers the learning rate when a monitored metric stops improving (Keras/PyTorch `ReduceLROnPlateau`, the
 * callback of the iMaterialist solution, field note 004). Stateful, so not a schedule: call
 * {@link ReduceLROnPlateau.observe} once per evaluation and use the rate it returns.
 *
 * The rule is PyTorch's: an observation that beats the best by more than `threshold` resets the count of
 * bad observations; during cooldown the count stays at 0; once the count exceeds `patience` the rate
 * becomes `max(lr · factor, minLr)` and cooldown starts. A NaN metric counts as no improvement.
 *
 * @example
 * ```ts
 * const plateau = new ReduceLROnPlateau({ lr: 1e-3, patience: 2, factor: 0.5 });
 * const optimizer = tf.train.momentum(1e-3, 0.9);
 * for (const epoch of epochs) optimizer.setLearningRate(plateau.observe(await validLoss(epoch)));
 * ```
 */
export class ReduceLROnPlateau {
  readonly #config: ReduceLROnPlateauConfig;
  #lr: number;
  #best: number;
  #badObservations = 0;
  #cooldownLeft = 0;
  #observations = 0;

  constructor(options: ReduceLROnPlateauOptions) {
    const fn = 'ReduceLROnPlateau';
    checkOptions(fn, options);
    const lr = checkNonNegative(fn, 'lr', options.lr);
    const mode = options.mode ?? 'min';
    if (mode !== 'min' && mode !== 'max') throw new InvalidArgumentError(fn, 'mode', "'min' or 'max'", mode);
    const factor = checkInRange(fn, 'factor', options.factor ?? 0.1, 0, 1, false);
    if (factor === 0) throw new InvalidArgumentError(fn, 'factor', 'in (0, 1)', factor);
    const patience = checkCount(fn, 'patience', options.patience ?? 10);
    const threshold = checkNonNegative(fn, 'threshold', options.threshold ?? 1e-4);
    const thresholdMode = options.thresholdMode ?? 'rel';
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') {
      throw new InvalidArgumentError(fn, 'thresholdMode', "'rel' or 'abs'", thresholdMode);
    }
    const cooldown = checkCount(fn, 'cooldown', options.cooldown ?? 0);
    const minLr = checkNonNegative(fn, 'minLr', options.minLr ?? 0);
    const eps = checkNonNegative(fn, 'eps', options.eps ?? 1e-8);
    this.#config = Object.freeze({
      type: 'reduceLROnPlateau',
      lr,
      mode,
      factor,
      patience,
      threshold,
      thresholdMode,
      cooldown,
      minLr,
      eps,
    });
    this.#lr = lr;
    this.#best = this.#worst();
  }

  /** Rebuilds a fresh instance (state not included) from {@link ReduceLROnPlateau.toConfig}. */
  static fromConfig(config: ReduceLROnPlateauConfig): ReduceLROnPlateau {
    if (typeof config !== 'object' || config === null || config.type !== 'reduceLROnPlateau') {
      throw new InvalidArgumentError(
        'ReduceLROnPlateau.fromConfig',
        'config.type',
        "'reduceLROnPlateau'",
        (config as { type?: unknown } | null)?.type,
      );
    }
    const { type: _type, ...options } = config;
    return new ReduceLROnPlateau(options);
  }

  /** The current learning rate. */
  get lr(): number {
    return this.#lr;
  }

  /** Best metric observed so far, or `null` before the first observation. */
  get best(): number | null {
    return this.#observations === 0 ? null : this.#best;
  }

  /**
   * Records one evaluation of the monitored metric and returns the learning rate to use from now on.
   * @param metric - the metric value (loss in `'min'` mode, score in `'max'` mode).
   */
  observe(metric: number): number {
    if (typeof metric !== 'number') {
      throw new InvalidArgumentError('ReduceLROnPlateau.observe', 'metric', 'a number', metric);
    }
    const { patience, cooldown, factor, minLr, eps } = this.#config;
    this.#observations++;
    if (this.#isBetter(metric)) {
      this.#best = metric;
      this.#badObservations = 0;
    } else {
      this.#badObservations++;
    }
    if (this.#cooldownLeft > 0) {
      this.#cooldownLeft--;
      this.#badObservations = 0;
    }
    if (this.#badObservations > patience) {
      const reduced = Math.max(this.#lr * factor, minLr);
      if (this.#lr - reduced > eps) this.#lr = reduced;
      this.#cooldownLeft = cooldown;
      this.#badObservations = 0;
    }
    return this.#lr;
  }

  /** The options this instance was built with, defaults filled in, as plain JSON. */
  toConfig(): ReduceLROnPlateauConfig {
    return this.#config;
  }

  /** The current state as plain JSON (`best` is `null` until the first observation). */
  getState(): ReduceLROnPlateauState {
    return {
      lr: this.#lr,
      best: this.best,
      badObservations: this.#badObservations,
      cooldownLeft: this.#cooldownLeft,
      observations: this.#observations,
    };
  }

  /** Restores a state saved with {@link ReduceLROnPlateau.getState}. */
  setState(state: ReduceLROnPlateauState): void {
    const fn = 'ReduceLROnPlateau.setState';
    checkOptions(fn, state);
    const lr = checkNonNegative(fn, 'state.lr', state.lr);
    const badObservations = checkCount(fn, 'state.badObservations', state.badObservations);
    const cooldownLeft = checkCount(fn, 'state.cooldownLeft', state.cooldownLeft);
    const observations = checkCount(fn, 'state.observations', state.observations);
    const { best } = state;
    if (!(best === null ? observations === 0 : typeof best === 'number' && observations > 0)) {
      throw new InvalidArgumentError(
        fn,
        'state.best',
        'null when no observation was made, else a number',
        best,
      );
    }
    this.#lr = lr;
    this.#best = best === null ? this.#worst() : best;
    this.#badObservations = badObservations;
    this.#cooldownLeft = cooldownLeft;
    this.#observations = observations;
  }

  #worst(): number {
    return this.#config.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  #isBetter(metric: number): boolean {
    const { mode, threshold, thresholdMode } = this.#config;
    const best = this.#best;
    if (!isFiniteNumber(best)) return mode === 'min' ? metric < best : metric > best;
    if (mode === 'min') return metric < (thresholdMode === 'rel' ? best * (1 - threshold) : best - threshold);
    return metric > (thresholdMode === 'rel' ? best * (1 + threshold) : best + threshold);
  }
}
