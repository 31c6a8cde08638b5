import { InvalidArgumentError, type Rng } from '@topk/core';
import { requireLabels } from './dataset.js';
import { checkEpoch, checkRng, EpochRng, type Sampler, type SamplerState } from './sampler.js';
import type { Dataset } from './types.js';

/** Options of {@link mPerClassSampler}. */
export interface MPerClassSamplerOptions {
  /** Images per class in each batch (at least 2 for a metric-learning loss to find positives). */
  readonly m: number;
  /** Batch size, a multiple of `m`; the batch stream must use the same. */
  readonly batchSize: number;
  /** Seeded randomness; the sampler keeps a child of it. */
  readonly rng: Rng;
  /**
   * Indices per epoch, a multiple of `batchSize`.
   * @defaultValue the dataset's size rounded down to a multiple of `batchSize` (at least one batch)
   */
  readonly length?: number;
}

/**
 * Batches of `batchSize / m` distinct classes with `m` images each (pytorch-metric-learning's
 * `MPerClassSampler`), for metric-learning losses that need positives in every batch (the humpback
 * whale write-up's triplet and ArcFace training). Classes are drawn uniformly without replacement per
 * batch; a class with fewer than `m` images repeats some (drawn with replacement), one with more gets
 * `m` distinct ones. Single-label datasets only.
 *
 * @param dataset - a labelled single-label dataset.
 */
export function mPerClassSampler(dataset: Dataset, options: MPerClassSamplerOptions): Sampler {
  const fn = 'mPerClassSampler';
  const vocabulary = requireLabels(fn, dataset);
  if (dataset.multiLabel)
    throw new InvalidArgumentError(fn, 'dataset', 'a single-label dataset', 'a multi-label dataset');
  checkRng(fn, options?.rng);
  const { m, batchSize } = options;
  if (!Number.isSafeInteger(m) || m < 1)
    throw new InvalidArgumentError(fn, 'options.m', 'a positive integer', m);
  if (!Number.isSafeInteger(batchSize) || batchSize < m || batchSize % m !== 0) {
    throw new InvalidArgumentError(fn, 'options.batchSize', `a positive multiple of m (${m})`, batchSize);
  }
  const members: number[][] = Array.from({ length: vocabulary.size }, () => []);
  dataset.items.forEach((item, i) => {
    members[item.label!]!.push(i);
  });
  const classes = members.map((list, c) => (list.length > 0 ? c : -1)).filter((c) => c >= 0);
  const perBatch = batchSize / m;
  if (classes.length < perBatch) {
    throw new InvalidArgumentError(
      fn,
      'options.batchSize',
      `at most m × classes with images (${m} × ${classes.length})`,
      batchSize,
    );
  }
  const { length = Math.max(batchSize, Math.floor(dataset.items.length / batchSize) * batchSize) } = options;
  if (!Number.isSafeInteger(length) || length < 0 || length % batchSize !== 0 || length > 2 ** 31 - 1) {
    throw new InvalidArgumentError(fn, 'options.length', `a multiple of batchSize (${batchSize})`, length);
  }
  const epochs = new EpochRng(options.rng, 'm-per-class');
  return {
    kind: 'm-per-class',
    size: dataset.items.length,
    length,
    batchSize,
    indices(epoch: number): Int32Array {
      checkEpoch(`${fn}.indices`, epoch);
      const rng = epochs.forEpoch(epoch);
      const out = new Int32Array(length);
      let k = 0;
      while (k < length) {
        for (const c of rng.sample(classes, perBatch)) {
          const list = members[c]!;
          for (const i of rng.sample(list, m, { replace: list.length < m })) out[k++] = i;
        }
      }
      return out;
    },
    getState: (): SamplerState => epochs.getState(),
    setState: (state: SamplerState) => epochs.setState(`${fn}.setState`, state),
  };
}
