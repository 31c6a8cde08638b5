import { InvalidArgumentError, type Rng } from '@topk/core';
import { requireLabels } from './dataset.js';
import { checkEpoch, checkRng, EpochRng, type Sampler, type SamplerState } from './sampler.js';
import type { Dataset } from './types.js';

/** Options of {@link classBalancedSampler}. */
export interface ClassBalancedSamplerOptions {
  /** Seeded randomness; the sampler keeps a child of it. */
  readonly rng: Rng;
  /**
   * Indices per epoch.
   * @defaultValue the dataset's size
   */
  readonly numSamples?: number;
  /**
   * Draw with replacement (PyTorch's `WeightedRandomSampler` default), so rare classes repeat; without
   * it, `numSamples` distinct items are drawn with weighted sampling without replacement
   * (Efraimidis–Spirakis keys `u^(1/w)`).
   * @defaultValue true
   */
  readonly replacement?: boolean;
}

/** A class-balanced sampler, with the weights it draws by. */
export interface ClassBalancedSampler extends Sampler {
  /**
   * Per-item weight: `1 / count(class)` (inverse class frequency), so every class is drawn equally
   * often in expectation. Multi-label: the weight of the item's rarest label; items without labels count
   * as one more class.
   */
  readonly weights: Float64Array;
}

/** Per-item inverse-frequency weights; see {@link ClassBalancedSampler.weights}. */
export function inverseFrequencyWeights(dataset: Dataset, fn: string): Float64Array {
  const vocabulary = requireLabels(fn, dataset);
  const counts = new Float64Array(vocabulary.size + 1); // last slot: multi-label items without labels
  const noLabel = vocabulary.size;
  for (const item of dataset.items) {
    if (dataset.multiLabel) {
      const labels = item.labels!;
      if (labels.length === 0) counts[noLabel]!++;
      for (const l of labels) counts[l]!++;
    } else counts[item.label!]!++;
  }
  return Float64Array.from(dataset.items, (item) => {
    if (!dataset.multiLabel) return 1 / counts[item.label!]!;
    const labels = item.labels!;
    if (labels.length === 0) return 1 / counts[noLabel]!;
    let rarest = Number.POSITIVE_INFINITY;
    for (const l of labels) rarest = Math.min(rarest, counts[l]!);
    return 1 / rarest;
  });
}

/**
 * Draws items with probability proportional to the inverse frequency of their class, so that each class
 * is seen about equally often (over-sampling rare classes). The iMaterialist write-up tried this
 * ("probability sampling") for its imbalanced labels; with many labels per image it changes little,
 * which the multi-label weight (rarest label) softens but does not cure.
 *
 * @param dataset - a labelled dataset.
 */
export function classBalancedSampler(
  dataset: Dataset,
  options: ClassBalancedSamplerOptions,
): ClassBalancedSampler {
  const fn = 'classBalancedSampler';
  checkRng(fn, options?.rng);
  const weights = inverseFrequencyWeights(dataset, fn);
  const size = dataset.items.length;
  const { numSamples = size, replacement = true } = options;
  if (typeof replacement !== 'boolean')
    throw new InvalidArgumentError(fn, 'options.replacement', 'a boolean', replacement);
  const most = replacement ? 2 ** 31 - 1 : size;
  if (!Number.isSafeInteger(numSamples) || numSamples < 0 || numSamples > most) {
    throw new InvalidArgumentError(fn, 'options.numSamples', `an integer in [0, ${most}]`, numSamples);
  }
  if (size === 0 && numSamples > 0)
    throw new InvalidArgumentError(fn, 'dataset', 'a non-empty dataset', dataset);
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let i = 0; i < size; i++) {
    total += weights[i]!;
    cumulative[i] = total;
  }
  const epochs = new EpochRng(options.rng, 'class-balanced');
  const withReplacement = (rng: Rng): Int32Array => {
    const out = new Int32Array(numSamples);
    for (let k = 0; k < numSamples; k++) {
      // Binary search for the first cumulative weight above the target: O(log n) per draw.
      const target = rng.next() * total;
      let lo = 0;
      let hi = size - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cumulative[mid]! > target) hi = mid;
        else lo = mid + 1;
      }
      out[k] = lo;
    }
    return out;
  };
  const withoutReplacement = (rng: Rng): Int32Array => {
    // log(u) / w is a monotone transform of u^(1/w): the largest keys are the weighted sample.
    const keys = Float64Array.from(weights, (w) => Math.log(1 - rng.next()) / w);
    const order = Int32Array.from({ length: size }, (_, i) => i);
    order.sort((a, b) => keys[b]! - keys[a]! || a - b);
    return order.slice(0, numSamples);
  };
  return {
    kind: 'class-balanced',
    size,
    length: numSamples,
    weights,
    indices(epoch: number): Int32Array {
      checkEpoch(`${fn}.indices`, epoch);
      const rng = epochs.forEpoch(epoch);
      return replacement ? withReplacement(rng) : withoutReplacement(rng);
    },
    getState: (): SamplerState => epochs.getState(),
    setState: (state: SamplerState) => epochs.setState(`${fn}.setState`, state),
  };
}
