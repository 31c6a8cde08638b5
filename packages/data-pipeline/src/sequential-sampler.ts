import { InvalidArgumentError } from '@topk/core';
import { checkEpoch, checkSize, type Sampler, type SamplerState } from './sampler.js';

/**
 * Items in their listed order, every epoch: for validation and prediction.
 *
 * @param size - the dataset's size.
 */
export function sequentialSampler(size: number): Sampler {
  checkSize('sequentialSampler', size);
  return {
    kind: 'sequential',
    size,
    length: size,
    indices(epoch: number): Int32Array {
      checkEpoch('sequentialSampler.indices', epoch);
      return Int32Array.from({ length: size }, (_, i) => i);
    },
    getState: (): SamplerState => ({ kind: 'sequential', rng: null }),
    setState(state: SamplerState): void {
      if (typeof state !== 'object' || state === null || state.kind !== 'sequential') {
        throw new InvalidArgumentError(
          'sequentialSampler.setState',
          'state',
          'the state of a "sequential" sampler',
          state,
        );
      }
    },
  };
}
