import type * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@topk/core';
import { asymmetricLoss } from './asymmetric-loss.js';
import { binaryCrossEntropy } from './binary-cross-entropy.js';
import { binaryFocalLoss } from './binary-focal-loss.js';
import { contrastiveLoss } from './contrastive-loss.js';
import { crossEntropy } from './cross-entropy.js';
import { focalLoss } from './focal-loss.js';
import type { LossConfig, LossFunction, LossType } from './loss.js';
import { softTargetCrossEntropy } from './soft-target-cross-entropy.js';
import { tripletLoss } from './triplet-loss.js';

// The fields each config type may carry; a misspelt field in a saved config fails instead of silently
// falling back to a default.
const FIELDS = {
  crossEntropy: ['labelSmoothing', 'reduction'],
  softTargetCrossEntropy: ['reduction'],
  binaryCrossEntropy: ['posWeight', 'classWeights', 'labelSmoothing', 'reduction'],
  focalLoss: ['gamma', 'alpha', 'reduction'],
  binaryFocalLoss: ['gamma', 'alpha', 'reduction'],
  asymmetricLoss: ['gammaPos', 'gammaNeg', 'clip', 'reduction'],
  tripletLoss: ['margin', 'mining', 'distance'],
  contrastiveLoss: ['margin', 'distance'],
} as const satisfies Record<LossType, readonly string[]>;

const FACTORIES: Record<LossType, (options: never) => LossFunction> = {
  crossEntropy,
  softTargetCrossEntropy,
  binaryCrossEntropy,
  focalLoss,
  binaryFocalLoss,
  asymmetricLoss,
  tripletLoss,
  contrastiveLoss,
};

/** Every loss `type` that {@link lossFromConfig} builds (the metric-learning classes have their own `fromConfig`). */
export const LOSS_TYPES: readonly LossType[] = Object.freeze(Object.keys(FIELDS) as LossType[]);

/**
 * Builds a function loss from its plain-JSON config, e.g. one saved with a training run:
 * `lossFromConfig(JSON.parse(JSON.stringify(loss.config)))` gives the same loss. Unknown types and fields
 * are rejected; missing optional fields take the factory's defaults.
 *
 * @example
 * ```ts
 * const loss = lossFromConfig({ type: 'crossEntropy', labelSmoothing: 0.1, reduction: 'mean' });
 * ```
 */
export function lossFromConfig(config: LossConfig): LossFunction<tf.Tensor> {
  const fn = 'lossFromConfig';
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new InvalidArgumentError(fn, 'config', 'a loss config object', config);
  }
  const { type, ...options } = config as { type?: unknown };
  if (typeof type !== 'string' || !Object.hasOwn(FIELDS, type)) {
    throw new InvalidArgumentError(fn, 'config.type', `one of ${LOSS_TYPES.join(', ')}`, type);
  }
  const allowed: readonly string[] = FIELDS[type as LossType];
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new InvalidArgumentError(
        fn,
        `config.${key}`,
        `absent (a ${type} config has ${allowed.join(', ')})`,
        key,
      );
    }
  }
  // Each factory validates its own fields.
  return FACTORIES[type as LossType](options as never);
}
