import { InvalidArgumentError } from '@topk/core';
import type { Layer, Model } from './types.js';
import { checkBoolean, checkNonNegativeInteger, checkPositive } from './validate.js';

/** Options of {@link setTrainableGroups}. */
export interface SetTrainableGroupsOptions {
  /**
   * Keep batch-norm layers of frozen groups trainable (fastai's `train_bn`: their statistics must adapt
   * to the new data even when the convolutions are frozen).
   * @defaultValue true
   */
  readonly trainBatchNorm?: boolean;
}

/** Whether a layer is a batch normalization layer. */
export function isBatchNormalization(layer: Layer): boolean {
  return layer.getClassName() === 'BatchNormalization';
}

/**
 * The default split of a model into two layer groups, body and head: the head starts at the last layer
 * that has weights (the classifier), the body is everything before it. A model whose only weighted
 * layer is the first gives one group.
 */
export function defaultLayerGroups(model: Model): Layer[][] {
  const layers = model.layers;
  let head = layers.length - 1;
  while (head > 0 && layers[head]!.weights.length === 0) head--;
  const body = layers.slice(0, head);
  const rest = layers.slice(head);
  return body.length === 0 ? [rest] : [body, rest];
}

/**
 * Freezes the groups before `firstTrainable` and unfreezes the rest, by setting `layer.trainable` (what
 * the training loop reads each step). Batch-norm layers stay trainable unless `trainBatchNorm` is false.
 * @param groups - layer groups, input side first.
 * @param firstTrainable - index of the first group to train; 0 unfreezes everything.
 */
export function setTrainableGroups(
  groups: readonly (readonly Layer[])[],
  firstTrainable: number,
  options: SetTrainableGroupsOptions = {},
): void {
  const fn = 'setTrainableGroups';
  if (!Array.isArray(groups))
    throw new InvalidArgumentError(fn, 'groups', 'an array of layer arrays', groups);
  checkNonNegativeInteger(fn, 'firstTrainable', firstTrainable);
  const trainBatchNorm = checkBoolean(fn, 'options.trainBatchNorm', options.trainBatchNorm ?? true);
  groups.forEach((group, g) => {
    for (const layer of group) {
      const trainable = g >= firstTrainable || (trainBatchNorm && isBatchNormalization(layer));
      if (layer.trainable !== trainable) layer.trainable = trainable;
    }
  });
}

/**
 * Learning-rate multipliers for discriminative learning rates (Howard & Ruder 2018; fastai's
 * `slice(lr / lrMult, lr)`): geometrically spaced from `1 / lrMult` for the first group to 1 for the last.
 */
export function discriminativeMultipliers(groups: readonly (readonly Layer[])[], lrMult: number): number[] {
  checkPositive('discriminativeMultipliers', 'lrMult', lrMult);
  const count = groups.length;
  if (count <= 1) return [1];
  return Array.from({ length: count }, (_, g) => lrMult ** (-(count - 1 - g) / (count - 1)));
}
