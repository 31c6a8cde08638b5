import * as tf from '@tensorflow/tfjs-core';
import type { Callback, CallbackContext, CallbackState } from './callback.js';
import type { Learner } from './learner.js';
import { checkBoolean, checkInRange, checkOptions, checkString } from './validate.js';

/** Options of {@link modelEma}. */
export interface ModelEmaOptions {
  /**
   * Decay d of the average: `ema ← d·ema + (1 − d)·w` after every optimizer step.
   * @defaultValue 0.999
   */
  readonly decay?: number;
  /**
   * Use `min(decay, (1 + n) / (10 + n))` at the n-th update (TensorFlow's `ExponentialMovingAverage` with
   * `num_updates`), so that early averages are not dominated by the initial weights.
   * @defaultValue false
   */
  readonly warmup?: boolean;
  /**
   * At each epoch end, evaluate the validation data with the averaged weights and add the results to the
   * logs as `ema_valid_loss`, `ema_valid_accuracy`, `ema_valid_f1`.
   * @defaultValue true
   */
  readonly evaluate?: boolean;
  /**
   * At the end of training, copy the averaged weights into the model.
   * @defaultValue false
   */
  readonly applyAtEnd?: boolean;
  /** @defaultValue 'ema_' */
  readonly prefix?: string;
}

/**
 * An exponential moving average of the model's weights (Polyak averaging, as timm's `ModelEmaV2`: every
 * variable of `model.weights` including batch-norm statistics, and the loss's variables), updated after
 * each optimizer step. The averaged weights often evaluate better than the raw ones late in training.
 */
export class ModelEma implements Callback {
  readonly name = 'modelEma';
  readonly order = -10;
  readonly decay: number;
  readonly warmup: boolean;
  readonly evaluate: boolean;
  readonly applyAtEnd: boolean;
  readonly prefix: string;
  #shadows: tf.Variable[] | undefined;
  #updates = 0;
  #pending: Float32Array[] | undefined;

  constructor(options: ModelEmaOptions = {}) {
    const fn = 'modelEma';
    checkOptions(fn, options);
    this.decay = checkInRange(fn, 'decay', options.decay ?? 0.999, 0, 1);
    this.warmup = checkBoolean(fn, 'warmup', options.warmup ?? false);
    this.evaluate = checkBoolean(fn, 'evaluate', options.evaluate ?? true);
    this.applyAtEnd = checkBoolean(fn, 'applyAtEnd', options.applyAtEnd ?? false);
    this.prefix = checkString(fn, 'prefix', options.prefix ?? 'ema_');
  }

  /** Updates applied so far. */
  get updates(): number {
    return this.#updates;
  }

  /** The decay used at the next update. */
  currentDecay(): number {
    const n = this.#updates;
    return this.warmup ? Math.min(this.decay, (1 + n) / (10 + n)) : this.decay;
  }

  onTrainBegin({ learner }: CallbackContext): void {
    this.#disposeShadows();
    const variables = learner.stateVariables();
    const pending = this.#pending;
    if (pending === undefined) this.#updates = 0;
    this.#shadows = variables.map(({ variable }, i) => {
      const saved = pending?.[i];
      const initial =
        saved !== undefined && saved.length === variable.size
          ? tf.tensor(saved, variable.shape, variable.dtype)
          : tf.clone(variable);
      const shadow = tf.variable(initial, false);
      initial.dispose();
      return shadow;
    });
    this.#pending = undefined;
  }

  onBatchEnd({ learner, stepped }: CallbackContext): void {
    if (!stepped || this.#shadows === undefined) return;
    const d = this.currentDecay();
    const variables = learner.stateVariables();
    tf.tidy(() => {
      this.#shadows!.forEach((shadow, i) => {
        const w = variables[i]!.variable;
        if (w.dtype !== 'float32') return;
        shadow.assign(tf.add(tf.mul(shadow, d), tf.mul(w, 1 - d)));
      });
    });
    this.#updates++;
  }

  /**
   * Runs `fn` with the averaged weights in the model, then puts the trained weights back.
   */
  async withAveragedWeights<T>(learner: Learner, fn: () => Promise<T> | T): Promise<T> {
    const shadows = this.#shadows;
    if (shadows === undefined) return fn();
    const variables = learner.stateVariables();
    const saved = variables.map(({ variable }) => tf.clone(variable));
    try {
      variables.forEach(({ variable }, i) => {
        variable.assign(shadows[i]!);
      });
      return await fn();
    } finally {
      variables.forEach(({ variable }, i) => {
        variable.assign(saved[i]!);
      });
      tf.dispose(saved);
    }
  }

  async onEpochEnd({ learner, logs, epoch }: CallbackContext): Promise<void> {
    if (!this.evaluate || learner.valid === undefined) return;
    const result = await this.withAveragedWeights(learner, () => learner.evaluate(learner.valid, epoch));
    logs[`${this.prefix}valid_loss`] = result.loss;
    if (result.accuracy !== undefined) logs[`${this.prefix}valid_accuracy`] = result.accuracy;
    if (result.f1 !== undefined) logs[`${this.prefix}valid_f1`] = result.f1;
  }

  /** Copies the averaged weights into the model (during a fit, or in `onTrainEnd` with `applyAtEnd`). */
  apply(learner: Learner): void {
    const shadows = this.#shadows;
    if (shadows === undefined) return;
    learner.stateVariables().forEach(({ variable }, i) => {
      variable.assign(shadows[i]!);
    });
  }

  onTrainEnd({ learner }: CallbackContext): void {
    if (this.applyAtEnd) this.apply(learner);
    this.#disposeShadows();
  }

  #disposeShadows(): void {
    if (this.#shadows !== undefined) tf.dispose(this.#shadows);
    this.#shadows = undefined;
  }

  getState(): CallbackState {
    const arrays: Record<string, Float32Array> = {};
    this.#shadows?.forEach((shadow, i) => {
      arrays[`ema/${i}`] = Float32Array.from(shadow.dataSync() as Float32Array);
    });
    // Restored but not yet training: the restored averages are the state.
    if (this.#shadows === undefined) {
      this.#pending?.forEach((values, i) => {
        arrays[`ema/${i}`] = values.slice();
      });
    }
    return { json: { updates: this.#updates }, arrays };
  }

  setState(state: CallbackState): void {
    this.#updates = (state.json as { updates?: number } | null)?.updates ?? 0;
    const arrays = state.arrays ?? {};
    const count = Object.keys(arrays).filter((k) => k.startsWith('ema/')).length;
    this.#pending = Array.from({ length: count }, (_, i) => arrays[`ema/${i}`]!);
  }
}

/** Creates a {@link ModelEma} callback. */
export function modelEma(options: ModelEmaOptions = {}): ModelEma {
  return new ModelEma(options);
}
