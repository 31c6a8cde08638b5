import * as tf from '@tensorflow/tfjs-core';
import type { AsymmetricLossConfig } from './asymmetric-loss.js';
import type { BinaryCrossEntropyConfig } from './binary-cross-entropy.js';
import type { BinaryFocalLossConfig } from './binary-focal-loss.js';
import type { ContrastiveLossConfig } from './contrastive-loss.js';
import type { CrossEntropyConfig } from './cross-entropy.js';
import type { FocalLossConfig } from './focal-loss.js';
import type { SoftTargetCrossEntropyConfig } from './soft-target-cross-entropy.js';
import type { TripletLossConfig } from './triplet-loss.js';

/**
 * The plain-JSON description of any function loss, discriminated by `type` (the factory's name). Every
 * factory fills in its defaults, so a saved config rebuilds the same loss.
 */
export type LossConfig =
  | CrossEntropyConfig
  | SoftTargetCrossEntropyConfig
  | BinaryCrossEntropyConfig
  | FocalLossConfig
  | BinaryFocalLossConfig
  | AsymmetricLossConfig
  | TripletLossConfig
  | ContrastiveLossConfig;

/** The `type` of a {@link LossConfig}. */
export type LossType = LossConfig['type'];

/**
 * A loss: `(yTrue, yPred) => tensor`, differentiable with respect to `yPred`, carrying the plain-JSON
 * config it was built from. It frees its intermediate tensors; the caller owns the result.
 */
export interface LossFunction<T extends tf.Tensor = tf.Tensor, C extends LossConfig = LossConfig> {
  (yTrue: tf.Tensor, yPred: tf.Tensor): T;
  /** The complete, frozen config; `lossFromConfig(loss.config)` rebuilds the same loss. */
  readonly config: C;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/** Wraps a loss computation in a tidy and attaches its frozen config. Not exported from the package. */
export function makeLoss<T extends tf.Tensor, C extends LossConfig>(
  config: C,
  compute: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor,
): LossFunction<T, C> {
  const loss = (yTrue: tf.Tensor, yPred: tf.Tensor): T => tf.tidy(() => compute(yTrue, yPred)) as T;
  Object.defineProperty(loss, 'config', { value: deepFreeze(config), enumerable: true });
  return loss as LossFunction<T, C>;
}
