import { InvalidArgumentError } from '@topk/core';
import type { GroupedModel } from './types.js';
import { positiveNumber } from './validate.js';

/** Options of {@link layerGroupLrMultipliers}; give `factor` or `lowest`, not both. */
export interface LayerGroupLrOptions {
  /**
   * Multiplier of each group relative to the next one: group `i` of `G` gets
   * `base * factor^(G - 1 - i)`. The default is ULMFiT's 1 / 2.6 (Howard & Ruder 2018).
   * @defaultValue 1 / 2.6
   */
  readonly factor?: number;
  /**
   * Multiplier of the first group, with geometric spacing up to `base` at the last one, as fastai's
   * `slice(lo, hi)` learning rates (`even_mults`): e.g. 0.01 for `slice(lr / 100, lr)`.
   */
  readonly lowest?: number;
  /**
   * Multiplier of the last group (the head).
   * @defaultValue 1
   */
  readonly base?: number;
}

/**
 * Discriminative learning rates: one multiplier per layer group, earlier groups smaller, as a map from
 * variable name (`LayerVariable.name`, the key tfjs optimizers and `tf.variableGrads` use) to the
 * multiplier of its group. Every weight of every layer is listed, trainable or not.
 *
 * Apply a multiplier to the update, not to the gradient, for adaptive optimizers: Adam's step does not
 * scale with the gradient, so scaling gradients only works for plain SGD. One optimizer per distinct
 * multiplier (`lr * multiplier`) works for all of them.
 */
export function layerGroupLrMultipliers(
  m: GroupedModel,
  options: LayerGroupLrOptions = {},
): Map<string, number> {
  const fn = 'layerGroupLrMultipliers';
  if (typeof m !== 'object' || m === null || !Array.isArray(m.layerGroups)) {
    throw new InvalidArgumentError(fn, 'model', 'a backbone or classifier with layerGroups', m);
  }
  if (options.factor !== undefined && options.lowest !== undefined) {
    throw new InvalidArgumentError(fn, 'options', 'either factor or lowest, not both', 'both');
  }
  const base = positiveNumber(fn, 'options.base', options.base, 1);
  const count = m.layerGroups.length;
  let factor: number;
  if (options.lowest !== undefined) {
    const lowest = positiveNumber(fn, 'options.lowest', options.lowest, 1);
    factor = count > 1 ? (lowest / base) ** (1 / (count - 1)) : 1;
  } else {
    factor = positiveNumber(fn, 'options.factor', options.factor, 1 / 2.6);
  }
  const multipliers = new Map<string, number>();
  m.layerGroups.forEach((group, i) => {
    const multiplier = base * factor ** (count - 1 - i);
    for (const name of group.layers) {
      for (const weight of m.model.getLayer(name).weights) multipliers.set(weight.name, multiplier);
    }
  });
  return multipliers;
}
