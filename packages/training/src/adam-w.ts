import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@topk/core';
import { type OptimizerOptions, SlottedOptimizer } from './optimizer.js';
import { checkInRange, checkOptions, checkPositive } from './validate.js';

/** Options of {@link AdamW}; the defaults are PyTorch's `torch.optim.AdamW`. */
export interface AdamWOptions extends OptimizerOptions {
  /**
   * Decay of the first-moment average β1, in [0, 1).
   * @defaultValue 0.9
   */
  readonly beta1?: number;
  /**
   * Decay of the second-moment average β2, in [0, 1).
   * @defaultValue 0.999
   */
  readonly beta2?: number;
  /**
   * ε added to the denominator.
   * @defaultValue 1e-8
   */
  readonly epsilon?: number;
}

/** Plain-JSON config of an {@link AdamW} optimizer (the decay filter, a function, is not part of it). */
export interface AdamWConfig {
  readonly type: 'adamW';
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
}

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR
 * 2019), step for step PyTorch's `AdamW` (the whale-identification winner's optimizer used weight decay
 * 1e-3, field note 002). For each variable θ with gradient g at its step t, with lr the base rate times the
 * variable's multiplier:
 *
 * ```
 * θ ← θ · (1 − lr·λ)                       (skipped for biases and batch-norm parameters)
 * m ← β1·m + (1 − β1)·g
 * v ← β2·v + (1 − β2)·g²
 * θ ← θ − lr / (1 − β1^t) · m / (√v / √(1 − β2^t) + ε)
 * ```
 */
export class AdamW extends SlottedOptimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(options: AdamWOptions = {}) {
    const fn = 'AdamW';
    checkOptions(fn, options);
    super(fn, options, 0.01);
    this.beta1 = checkInRange(fn, 'beta1', options.beta1 ?? 0.9, 0, 1);
    this.beta2 = checkInRange(fn, 'beta2', options.beta2 ?? 0.999, 0, 1);
    this.epsilon = checkPositive(fn, 'epsilon', options.epsilon ?? 1e-8);
  }

  /** Rebuilds an optimizer (fresh state) from {@link AdamW.toConfig}. */
  static fromConfig(config: AdamWConfig): AdamW {
    if (typeof config !== 'object' || config === null || config.type !== 'adamW') {
      throw new InvalidArgumentError('AdamW.fromConfig', 'config.type', "'adamW'", config?.type);
    }
    const { type: _type, ...options } = config;
    return new AdamW(options);
  }

  protected slotNames(): readonly string[] {
    return ['m', 'v'];
  }

  protected update(
    variable: tf.Variable,
    gradient: tf.Tensor,
    slots: Record<string, tf.Variable>,
    lr: number,
    decay: boolean,
    t: number,
  ): tf.Tensor {
    const { beta1, beta2, epsilon } = this;
    const m = slots.m!;
    const v = slots.v!;
    const mNew = tf.add(tf.mul(m, beta1), tf.mul(gradient, 1 - beta1));
    const vNew = tf.add(tf.mul(v, beta2), tf.mul(tf.square(gradient), 1 - beta2));
    m.assign(mNew);
    v.assign(vNew);
    const decayed = decay ? tf.mul(variable, 1 - lr * this.weightDecay) : variable;
    const biasCorrection1 = 1 - beta1 ** t;
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** t);
    const denominator = tf.add(tf.div(tf.sqrt(vNew), biasCorrection2Sqrt), epsilon);
    return tf.sub(decayed, tf.mul(tf.div(mNew, denominator), lr / biasCorrection1));
  }

  toConfig(): AdamWConfig {
    return {
      type: 'adamW',
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      weightDecay: this.weightDecay,
    };
  }
}

/** Creates an {@link AdamW} optimizer. */
export function adamW(options: AdamWOptions = {}): AdamW {
  return new AdamW(options);
}
