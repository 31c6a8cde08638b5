import { InvalidArgumentError } from '@topk/core';
import { type Callback, type CallbackContext, type CallbackState, inferMode } from './callback.js';
import {
  checkBoolean,
  checkNonNegative,
  checkNonNegativeInteger,
  checkOneOf,
  checkOptions,
  checkString,
} from './validate.js';

/** Options of {@link earlyStopping}; the defaults are Keras's `EarlyStopping` except `restoreBest`. */
export interface EarlyStoppingOptions {
  /**
   * Epoch log to watch.
   * @defaultValue 'valid_loss'
   */
  readonly monitor?: string;
  /**
   * Whether lower (`min`) or higher (`max`) is better.
   * @defaultValue `min` for names with "loss" or "error", else `max`
   */
  readonly mode?: 'min' | 'max';
  /**
   * Epochs without improvement before stopping.
   * @defaultValue 3
   */
  readonly patience?: number;
  /**
   * Smallest change that counts as an improvement.
   * @defaultValue 0
   */
  readonly minDelta?: number;
  /**
   * At the end of training, put back the weights of the best epoch.
   * @defaultValue true
   */
  readonly restoreBest?: boolean;
}

/** Stops training when a metric has not improved for `patience` epochs. */
export class EarlyStopping implements Callback {
  readonly name = 'earlyStopping';
  readonly order = 10;
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBest: boolean;
  #best = Number.NaN;
  #bestEpoch = -1;
  #wait = 0;
  #bestWeights: Float32Array[] | undefined;
  #restored = false;

  constructor(options: EarlyStoppingOptions = {}) {
    const fn = 'earlyStopping';
    checkOptions(fn, options);
    this.monitor = checkString(fn, 'monitor', options.monitor ?? 'valid_loss');
    this.mode = checkOneOf(fn, 'mode', options.mode ?? inferMode(this.monitor), ['min', 'max'] as const);
    this.patience = checkNonNegativeInteger(fn, 'patience', options.patience ?? 3);
    this.minDelta = checkNonNegative(fn, 'minDelta', options.minDelta ?? 0);
    this.restoreBest = checkBoolean(fn, 'restoreBest', options.restoreBest ?? true);
  }

  /** The best value so far (NaN before the first epoch). */
  get best(): number {
    return this.#best;
  }

  /** The epoch of the best value (-1 before the first epoch). */
  get bestEpoch(): number {
    return this.#bestEpoch;
  }

  onTrainBegin(): void {
    if (!this.#restored) {
      this.#best = Number.NaN;
      this.#bestEpoch = -1;
      this.#wait = 0;
      this.#bestWeights = undefined;
    }
    this.#restored = false;
  }

  onEpochEnd({ learner, epoch, logs }: CallbackContext): void {
    const value = logs[this.monitor];
    if (value === undefined) {
      throw new InvalidArgumentError(
        'earlyStopping',
        'monitor',
        `one of the epoch logs (${Object.keys(logs).join(', ')})`,
        this.monitor,
      );
    }
    const improved =
      Number.isFinite(value) &&
      (Number.isNaN(this.#best) ||
        (this.mode === 'min' ? value < this.#best - this.minDelta : value > this.#best + this.minDelta));
    if (improved) {
      this.#best = value;
      this.#bestEpoch = epoch;
      this.#wait = 0;
      if (this.restoreBest) this.#bestWeights = learner.getWeights();
      return;
    }
    this.#wait++;
    if (this.#wait >= this.patience) {
      learner.stop(
        `early stopping: ${this.monitor} did not improve for ${this.#wait} epochs (best ${this.#best} at epoch ${this.#bestEpoch})`,
      );
    }
  }

  onTrainEnd({ learner }: CallbackContext): void {
    if (this.restoreBest && this.#bestWeights !== undefined) learner.setWeights(this.#bestWeights);
    this.#bestWeights = undefined;
  }

  getState(): CallbackState {
    const arrays: Record<string, Float32Array> = {};
    this.#bestWeights?.forEach((w, i) => {
      arrays[`best/${i}`] = w;
    });
    return {
      json: {
        best: Number.isNaN(this.#best) ? null : this.#best,
        bestEpoch: this.#bestEpoch,
        wait: this.#wait,
      },
      arrays,
    };
  }

  setState(state: CallbackState): void {
    const json = (state.json ?? {}) as { best?: number | null; bestEpoch?: number; wait?: number };
    this.#best = json.best ?? Number.NaN;
    this.#bestEpoch = json.bestEpoch ?? -1;
    this.#wait = json.wait ?? 0;
    const arrays = state.arrays ?? {};
    const count = Object.keys(arrays).filter((k) => k.startsWith('best/')).length;
    this.#bestWeights =
      count === 0 ? undefined : Array.from({ length: count }, (_, i) => arrays[`best/${i}`]!);
    this.#restored = true;
  }
}

/** Creates an {@link EarlyStopping} callback. */
export function earlyStopping(options: EarlyStoppingOptions = {}): EarlyStopping {
  return new EarlyStopping(options);
}
