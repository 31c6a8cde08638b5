import { assertDataset } from './dataset.js';
import { checkRng } from './sampler.js';
import { checkFraction, type DatasetSplit, type SplitOptions, splitByFold } from './split-helpers.js';
import type { Dataset } from './types.js';

/**
 * A seeded random train/validation split: exactly `round(n × validFraction)` items, chosen uniformly, go
 * to validation. Both sides keep the listed order.
 *
 * @param dataset - the dataset to split.
 */
export function randomSplit(dataset: Dataset, options: SplitOptions): DatasetSplit {
  const fn = 'randomSplit';
  assertDataset(fn, dataset);
  checkRng(fn, options?.rng);
  const { validFraction = 0.2, rng } = options;
  checkFraction(fn, validFraction);
  const n = dataset.items.length;
  const fold = new Int32Array(n);
  for (const i of rng.permutation(n).slice(0, Math.round(n * validFraction))) fold[i] = 1;
  return splitByFold(dataset, fold, 1);
}
