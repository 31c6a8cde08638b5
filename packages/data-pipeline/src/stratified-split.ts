import { requireLabels } from './dataset.js';
import { checkRng } from './sampler.js';
import {
  checkFraction,
  type DatasetSplit,
  iterativeStratification,
  largestRemainder,
  type SplitOptions,
  splitByFold,
} from './split-helpers.js';
import type { Dataset } from './types.js';

/**
 * A seeded train/validation split that keeps class proportions.
 *
 * Single-label: the validation set holds `T = round(n × validFraction)` items, shared among classes by
 * largest remainder: each class gets the floor or the ceiling of its quota `count × T / n`, leftovers
 * going to the largest fractional parts (ties to the lower class index); the items of each class are
 * chosen at random. Multi-label: iterative stratification (Sechidis et al. 2011), which balances every
 * label as well as it can.
 *
 * @param dataset - a labelled dataset.
 */
export function stratifiedSplit(dataset: Dataset, options: SplitOptions): DatasetSplit {
  const fn = 'stratifiedSplit';
  const vocabulary = requireLabels(fn, dataset);
  checkRng(fn, options?.rng);
  const { validFraction = 0.2, rng } = options;
  checkFraction(fn, validFraction);
  const n = dataset.items.length;
  if (dataset.multiLabel) {
    const labelSets = dataset.items.map((item) => item.labels!);
    const fold = iterativeStratification(labelSets, vocabulary.size, [1 - validFraction, validFraction], rng);
    return splitByFold(dataset, fold, 1);
  }
  const members: number[][] = Array.from({ length: vocabulary.size }, () => []);
  dataset.items.forEach((item, i) => {
    members[item.label!]!.push(i);
  });
  const shares = largestRemainder(
    members.map((list) => list.length),
    Math.round(n * validFraction),
  );
  const fold = new Int32Array(n);
  members.forEach((list, c) => {
    for (const i of rng.sample(list, shares[c]!)) fold[i] = 1;
  });
  return splitByFold(dataset, fold, 1);
}
