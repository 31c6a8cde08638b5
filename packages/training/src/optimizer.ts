import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@topk/core';
import type { AdamWConfig } from './adam-w.js';
import type { SgdConfig } from './sgd.js';
import { checkFinite, checkNonNegative, checkNonNegativeInteger, isPlainObject } from './validate.js';

/**
 * An optimizer's mutable state as named Float32Arrays, for checkpoints: `slots[variableName][slotName]`
 * (`m`, `v`, `t` for AdamW; `momentum` for SGD), plus the number of steps taken.
 */
export interface OptimizerState {
  /** Optimizer steps taken (calls of `applyGradients`). */
  readonly step: number;
  /** Per-variable buffers, keyed by variable name, then slot name. */
  readonly slots: Readonly<Record<string, Readonly<Record<string, Float32Array>>>>;
}

/** The plain-JSON config of a topk optimizer. */
export type OptimizerConfig = SgdConfig | AdamWConfig;

/**
 * What the training loop needs of an optimizer. topk's own ({@link AdamW}, {@link SGD}) follow PyTorch's
 * update rules, with weight decay skipped on biases and batch-norm parameters and per-variable learning
 * rate multipliers (discriminative learning rates).
 */
export interface Optimizer {
  /** Base learning rate of the next step; the loop sets it from the schedule before every step. */
  learningRate: number;
  /** Steps taken. */
  readonly step: number;
  /** Learning-rate multiplier by variable name (1 when absent): discriminative learning rates. */
  readonly lrMultipliers: Map<string, number>;
  /** One update: `gradients[i]` belongs to `variables[i]`. The caller keeps ownership of the gradients. */
  applyGradients(variables: readonly tf.Variable[], gradients: readonly tf.Tensor[]): void;
  /** The state as named Float32Arrays (copies). */
  getState(): OptimizerState;
  /** Replaces the state; buffers are matched to variables by name when they are next updated. */
  setState(state: OptimizerState): void;
  /** The options, as plain JSON. */
  toConfig(): OptimizerConfig;
  /** Frees the buffers. */
  dispose(): void;
}

/** Options shared by topk's optimizers. */
export interface OptimizerOptions {
  /**
   * Initial base learning rate (a schedule overrides it per step).
   * @defaultValue 1e-3
   */
  readonly learningRate?: number;
  /**
   * Weight decay λ. AdamW decays decoupled from the gradient (`θ ← θ − lr·λ·θ`); SGD adds `λ·θ` to the
   * gradient unless `decoupledWeightDecay`.
   * @defaultValue 0.01 for AdamW, 0 for SGD
   */
  readonly weightDecay?: number;
  /**
   * Which variables weight decay skips.
   * @defaultValue rank ≤ 1 variables: biases and batch-norm γ/β (and moving statistics, which are not trained)
   */
  readonly excludeFromWeightDecay?: (variable: tf.Variable) => boolean;
  /** Initial learning-rate multipliers by variable name. */
  readonly lrMultipliers?: ReadonlyMap<string, number>;
}

/** Default weight-decay exclusion: biases and batch-norm parameters are the rank-1 variables. */
export function isRank1OrScalar(variable: tf.Variable): boolean {
  return variable.rank <= 1;
}

type Slots = Record<string, tf.Variable>;

/**
 * Shared machinery of topk's optimizers: lazily created per-variable buffers, learning-rate multipliers,
 * the decay filter and state round trips. Not exported from the package: subclasses implement one update.
 */
export abstract class SlottedOptimizer implements Optimizer {
  learningRate: number;
  readonly lrMultipliers: Map<string, number>;
  protected readonly weightDecay: number;
  readonly #exclude: (variable: tf.Variable) => boolean;
  readonly #fn: string;
  #step = 0;
  #slots = new Map<string, Slots>();
  /** Per-variable step counts (AdamW's bias correction counts the steps each variable took). */
  #variableSteps = new Map<string, number>();
  /** State loaded by {@link setState}, waiting for its variable's first update. */
  #pending = new Map<string, Readonly<Record<string, Float32Array>>>();
  #disposed = false;

  protected constructor(fn: string, options: OptimizerOptions, defaultWeightDecay: number) {
    this.#fn = fn;
    this.learningRate = checkNonNegative(fn, 'learningRate', options.learningRate ?? 1e-3);
    this.weightDecay = checkNonNegative(fn, 'weightDecay', options.weightDecay ?? defaultWeightDecay);
    const exclude = options.excludeFromWeightDecay ?? isRank1OrScalar;
    if (typeof exclude !== 'function') {
      throw new InvalidArgumentError(fn, 'excludeFromWeightDecay', 'a function', exclude);
    }
    this.#exclude = exclude;
    this.lrMultipliers = new Map();
    const multipliers = options.lrMultipliers;
    if (multipliers !== undefined) {
      if (!(multipliers instanceof Map)) {
        throw new InvalidArgumentError(fn, 'lrMultipliers', 'a Map of variable name to number', multipliers);
      }
      for (const [name, value] of multipliers) {
        this.lrMultipliers.set(
          name,
          checkNonNegative(fn, `lrMultipliers.get(${JSON.stringify(name)})`, value),
        );
      }
    }
  }

  get step(): number {
    return this.#step;
  }

  /** The slot names this optimizer keeps per variable. */
  protected abstract slotNames(): readonly string[];

  /**
   * Returns the updated value of `variable` (inside a tidy the base class opened); the subclass assigns
   * its slots itself.
   */
  protected abstract update(
    variable: tf.Variable,
    gradient: tf.Tensor,
    slots: Slots,
    lr: number,
    decay: boolean,
    variableStep: number,
  ): tf.Tensor;

  abstract toConfig(): OptimizerConfig;

  applyGradients(variables: readonly tf.Variable[], gradients: readonly tf.Tensor[]): void {
    const fn = `${this.#fn}.applyGradients`;
    if (this.#disposed)
      throw new InvalidArgumentError(fn, 'this', 'an optimizer not yet disposed', 'disposed');
    if (!Array.isArray(variables) || !variables.every((v) => v instanceof tf.Variable)) {
      throw new InvalidArgumentError(fn, 'variables', 'an array of tf.Variable', variables);
    }
    if (!Array.isArray(gradients) || gradients.length !== variables.length) {
      throw new InvalidArgumentError(fn, 'gradients', `an array of ${variables.length} tensors`, gradients);
    }
    variables.forEach((variable, i) => {
      const gradient = gradients[i];
      if (!(gradient instanceof tf.Tensor) || !tf.util.arraysEqual(gradient.shape, variable.shape)) {
        throw new InvalidArgumentError(
          fn,
          `gradients[${i}]`,
          `a tensor of shape [${variable.shape}]`,
          gradient,
        );
      }
    });
    checkFinite(fn, 'learningRate', this.learningRate);
    this.#step++;
    for (let i = 0; i < variables.length; i++) {
      const variable = variables[i]!;
      const gradient = gradients[i]!;
      const multiplier = this.lrMultipliers.get(variable.name) ?? 1;
      const lr = this.learningRate * multiplier;
      const slots = this.#slotsFor(variable);
      const variableStep = (this.#variableSteps.get(variable.name) ?? 0) + 1;
      this.#variableSteps.set(variable.name, variableStep);
      const decay = this.weightDecay > 0 && !this.#exclude(variable);
      tf.tidy(() => {
        variable.assign(this.update(variable, gradient, slots, lr, decay, variableStep));
      });
    }
  }

  #slotsFor(variable: tf.Variable): Slots {
    const existing = this.#slots.get(variable.name);
    if (existing !== undefined) return existing;
    const pending = this.#pending.get(variable.name);
    const slots: Slots = {};
    const size = variable.size;
    for (const name of this.slotNames()) {
      const saved = pending?.[name];
      if (saved !== undefined && saved.length !== size) {
        throw new InvalidArgumentError(
          `${this.#fn}.setState`,
          `state.slots[${JSON.stringify(variable.name)}].${name}`,
          `a Float32Array of ${size} values (the variable's size)`,
          saved,
        );
      }
      const initial = saved === undefined ? tf.zeros(variable.shape) : tf.tensor(saved, variable.shape);
      slots[name] = tf.variable(initial, false);
      initial.dispose();
    }
    const savedStep = pending?.t;
    if (savedStep !== undefined && savedStep.length === 1)
      this.#variableSteps.set(variable.name, savedStep[0]!);
    this.#pending.delete(variable.name);
    this.#slots.set(variable.name, slots);
    return slots;
  }

  getState(): OptimizerState {
    const slots: Record<string, Record<string, Float32Array>> = {};
    for (const [name, saved] of this.#pending) {
      slots[name] = Object.fromEntries(Object.entries(saved).map(([k, v]) => [k, v.slice()]));
    }
    for (const [name, variables] of this.#slots) {
      const entry: Record<string, Float32Array> = {};
      for (const [slot, variable] of Object.entries(variables)) {
        entry[slot] = Float32Array.from(variable.dataSync() as Float32Array);
      }
      entry.t = Float32Array.of(this.#variableSteps.get(name) ?? 0);
      slots[name] = entry;
    }
    return { step: this.#step, slots };
  }

  setState(state: OptimizerState): void {
    const fn = `${this.#fn}.setState`;
    if (!isPlainObject(state))
      throw new InvalidArgumentError(fn, 'state', 'an object from getState()', state);
    const step = checkNonNegativeInteger(fn, 'state.step', state.step);
    if (!isPlainObject(state.slots))
      throw new InvalidArgumentError(fn, 'state.slots', 'an object', state.slots);
    const pending = new Map<string, Readonly<Record<string, Float32Array>>>();
    for (const [name, entry] of Object.entries(state.slots)) {
      if (!isPlainObject(entry) || !Object.values(entry).every((v) => v instanceof Float32Array)) {
        throw new InvalidArgumentError(
          fn,
          `state.slots[${JSON.stringify(name)}]`,
          'an object of Float32Arrays',
          entry,
        );
      }
      pending.set(name, entry as Record<string, Float32Array>);
    }
    this.#disposeSlots();
    this.#step = step;
    this.#pending = pending;
    this.#variableSteps = new Map();
  }

  #disposeSlots(): void {
    for (const slots of this.#slots.values()) for (const v of Object.values(slots)) v.dispose();
    this.#slots = new Map();
  }

  dispose(): void {
    this.#disposeSlots();
    this.#pending = new Map();
    this.#disposed = true;
  }
}
