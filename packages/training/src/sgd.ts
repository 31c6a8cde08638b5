import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@topk/core';
import { type OptimizerOptions, SlottedOptimizer } from './optimizer.js';
import { checkBoolean, checkInRange, checkOptions } from './validate.js';

/** Options of {@link SGD}; the defaults are PyTorch's `torch.optim.SGD`. */
export interface SgdOptions extends OptimizerOptions {
  /**
   * Momentum μ, in [0, 1).
   * @defaultValue 0
   */
  readonly momentum?: number;
  /**
   * Nesterov momentum (needs `momentum` > 0).
   * @defaultValue false
   */
  readonly nesterov?: boolean;
  /**
   * Decay the weights directly (`θ ← θ·(1 − lr·λ)`, SGDW) instead of adding `λ·θ` to the gradient.
   * @defaultValue false
   */
  readonly decoupledWeightDecay?: boolean;
}

/** Plain-JSON config of an {@link SGD} optimizer. */
export interface SgdConfig {
  readonly type: 'sgd';
  readonly learningRate: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  readonly decoupledWeightDecay: boolean;
}

/**
 * Stochastic gradient descent with momentum and Nesterov momentum, step for step PyTorch's `SGD`
 * (dampening 0; the fastai write-ups' optimizer, field note 000). For each variable θ with gradient g:
 *
 * ```
 * g ← g + λ·θ                 (coupled weight decay; skipped for biases and batch-norm parameters)
 * b ← μ·b + g                 (b starts at 0, so the first step gives b = g as in PyTorch)
 * g ← g + μ·b  (Nesterov)  or  g ← b
 * θ ← θ − lr·g
 * ```
 */
export class SGD extends SlottedOptimizer {
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly decoupledWeightDecay: boolean;

  constructor(options: SgdOptions = {}) {
    const fn = 'SGD';
    checkOptions(fn, options);
    super(fn, options, 0);
    this.momentum = checkInRange(fn, 'momentum', options.momentum ?? 0, 0, 1);
    this.nesterov = checkBoolean(fn, 'nesterov', options.nesterov ?? false);
    this.decoupledWeightDecay = checkBoolean(
      fn,
      'decoupledWeightDecay',
      options.decoupledWeightDecay ?? false,
    );
    if (this.nesterov && this.momentum === 0) {
      throw new InvalidArgumentError(fn, 'momentum', '> 0 when nesterov is true', this.momentum);
    }
  }

  /** Rebuilds an optimizer (fresh state) from {@link SGD.toConfig}. */
  static fromConfig(config: SgdConfig): SGD {
    if (typeof config !== 'object' || config === null || config.type !== 'sgd') {
      throw new InvalidArgumentError('SGD.fromConfig', 'config.type', "'sgd'", config?.type);
    }
    const { type: _type, ...options } = config;
    return new SGD(options);
  }

  protected slotNames(): readonly string[] {
    return this.momentum > 0 ? ['momentum'] : [];
  }

  protected update(
    variable: tf.Variable,
    gradient: tf.Tensor,
    slots: Record<string, tf.Variable>,
    lr: number,
    decay: boolean,
  ): tf.Tensor {
    let g = gradient;
    let theta: tf.Tensor = variable;
    if (decay) {
      if (this.decoupledWeightDecay) theta = tf.mul(variable, 1 - lr * this.weightDecay);
      else g = tf.add(g, tf.mul(variable, this.weightDecay));
    }
    if (this.momentum > 0) {
      const buffer = slots.momentum!;
      const updated = tf.add(tf.mul(buffer, this.momentum), g);
      buffer.assign(updated);
      g = this.nesterov ? tf.add(g, tf.mul(updated, this.momentum)) : updated;
    }
    return tf.sub(theta, tf.mul(g, lr));
  }

  toConfig(): SgdConfig {
    return {
      type: 'sgd',
      learningRate: this.learningRate,
      momentum: this.momentum,
      nesterov: this.nesterov,
      weightDecay: this.weightDecay,
      decoupledWeightDecay: this.decoupledWeightDecay,
    };
  }
}

/** Creates an {@link SGD} optimizer. */
export function sgd(options: SgdOptions = {}): SGD {
  return new SGD(options);
}
