import type { Rng } from '@topk/core';
import { checkEpoch, checkRng, checkSize, EpochRng, type Sampler, type SamplerState } from './sampler.js';

/** Options of {@link shuffledSampler}. */
export interface ShuffledSamplerOptions {
  /** Seeded randomness; the sampler keeps a child of it. */
  readonly rng: Rng;
}

/**
 * A fresh uniform permutation every epoch (Fisher–Yates on the epoch's own generator), each item once
 * per epoch.
 *
 * @param size - the dataset's size.
 */
export function shuffledSampler(size: number, options: ShuffledSamplerOptions): Sampler {
  const fn = 'shuffledSampler';
  checkSize(fn, size);
  checkRng(fn, options?.rng);
  const epochs = new EpochRng(options.rng, 'shuffled');
  return {
    kind: 'shuffled',
    size,
    length: size,
    indices(epoch: number): Int32Array {
      checkEpoch(`${fn}.indices`, epoch);
      const order = Int32Array.from({ length: size }, (_, i) => i);
      return epochs.forEpoch(epoch).shuffle(order);
    },
    getState: () => epochs.getState(),
    setState: (state: SamplerState) => epochs.setState(`${fn}.setState`, state),
  };
}
