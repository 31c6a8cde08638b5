import type * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError } from '@topk/core';
import type { GroupedModel } from './types.js';
import { bool } from './validate.js';

type Layer = tfl.LayersModel['layers'][number];
type Kwargs = Record<string, unknown>;
type CallFn = (inputs: unknown, kwargs: Kwargs) => unknown;

const guarded = new WeakSet<object>();

function isBatchNorm(layer: Layer): boolean {
  return layer.getClassName() === 'BatchNormalization';
}

/**
 * A batch-norm layer counts as frozen when the layer is not trainable, or when its scale and offset
 * are set non-trainable from above (`model.trainable = false` flips the weights, not the layers).
 */
function isFrozenBatchNorm(layer: Layer): boolean {
  const hasAffine = layer.weights.length > 2;
  return !layer.trainable || (hasAffine && layer.trainableWeights.length === 0);
}

/**
 * Makes every `BatchNormalization` layer of `model` run in inference mode (moving statistics, no
 * updates) whenever it is frozen, even inside a training call, as Keras does since 2.1.3 and recommends
 * for fine-tuning. tfjs-layers' batch-norm ignores `trainable` and keeps normalising with batch
 * statistics and updating its moving mean and variance when called with `training: true`, so a frozen
 * backbone would drift. Idempotent; models from {@link createBackbone}, {@link createClassifier} and
 * {@link loadModel} are already guarded, and the freezing functions guard the models they are given.
 * The guard is a per-instance wrapper of `call`: the layer's class and its saved config do not change.
 *
 * @returns the number of batch-norm layers in `model`.
 */
export function guardFrozenBatchNorm(model: tfl.LayersModel): number {
  let count = 0;
  for (const layer of model.layers) {
    if (!isBatchNorm(layer)) continue;
    count++;
    if (guarded.has(layer)) continue;
    const target = layer as unknown as { call: CallFn };
    const call = target.call.bind(layer);
    target.call = (inputs, kwargs) =>
      call(
        inputs,
        kwargs?.training === true && isFrozenBatchNorm(layer) ? { ...kwargs, training: false } : kwargs,
      );
    guarded.add(layer);
  }
  return count;
}

/** Options of {@link freezeTo}, {@link freeze} and {@link unfreezeLast}. */
export interface FreezeOptions {
  /**
   * Keep the batch-norm layers of frozen groups trainable and in training mode (fastai's `train_bn`),
   * instead of freezing them in inference mode (Keras's advice).
   * @defaultValue false
   */
  readonly trainBatchNorm?: boolean;
}

function checkGrouped(fn: string, m: GroupedModel): void {
  if (typeof m !== 'object' || m === null || !Array.isArray(m.layerGroups) || m.model === undefined) {
    throw new InvalidArgumentError(fn, 'model', 'a backbone or classifier with layerGroups', m);
  }
}

/**
 * Freezes the layer groups before `index` and unfreezes the rest, like fastai's `freeze_to`: a negative
 * index counts from the end (`-1`: only the last group trains). Frozen layers get `trainable = false`,
 * so optimizers skip their weights and their batch-norm layers run in inference mode. Recompile a
 * tfjs model (`model.compile`) after changing what is trainable before calling `fit` again.
 */
export function freezeTo(m: GroupedModel, index: number, options: FreezeOptions = {}): void {
  checkGrouped('freezeTo', m);
  const count = m.layerGroups.length;
  if (!Number.isSafeInteger(index) || index < -count || index > count) {
    throw new InvalidArgumentError('freezeTo', 'index', `an integer in [${-count}, ${count}]`, index);
  }
  const trainBatchNorm = bool('freezeTo', 'options.trainBatchNorm', options.trainBatchNorm, false);
  const boundary = index < 0 ? count + index : index;
  guardFrozenBatchNorm(m.model);
  // A model-level `trainable = false` would hide every layer's weights, whatever the groups say.
  m.model.trainable = true;
  m.layerGroups.forEach((group, i) => {
    const frozen = i < boundary;
    for (const name of group.layers) {
      const layer = m.model.getLayer(name);
      layer.trainable = !frozen || (trainBatchNorm && isBatchNorm(layer));
    }
  });
}

/** Freezes every group but the last (the head of a classifier): fastai's `freeze()`. */
export function freeze(m: GroupedModel, options: FreezeOptions = {}): void {
  checkGrouped('freeze', m);
  freezeTo(m, m.layerGroups.length - 1, options);
}

/** Makes every group trainable: fastai's `unfreeze()`. */
export function unfreeze(m: GroupedModel): void {
  checkGrouped('unfreeze', m);
  freezeTo(m, 0);
}

/**
 * Gradual unfreezing (ULMFiT, Howard & Ruder 2018): only the last `n` groups train. Call with
 * n = 1, 2, ... between epochs to thaw the network from the head down.
 */
export function unfreezeLast(m: GroupedModel, n: number, options: FreezeOptions = {}): void {
  checkGrouped('unfreezeLast', m);
  const count = m.layerGroups.length;
  if (!Number.isSafeInteger(n) || n < 0 || n > count) {
    throw new InvalidArgumentError('unfreezeLast', 'n', `an integer in [0, ${count}]`, n);
  }
  freezeTo(m, count - n, options);
}

/**
 * Names of the groups that are frozen: every layer in them, batch-norm layers aside (which
 * `trainBatchNorm` may keep trainable), is non-trainable.
 */
export function frozenGroups(m: GroupedModel): string[] {
  checkGrouped('frozenGroups', m);
  return m.layerGroups
    .filter((group) => {
      const layers = group.layers.map((name) => m.model.getLayer(name));
      const others = layers.filter((layer) => !isBatchNorm(layer));
      return (others.length > 0 ? others : layers).every((layer) => !layer.trainable);
    })
    .map((group) => group.name);
}
