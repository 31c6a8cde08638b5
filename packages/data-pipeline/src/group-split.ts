import { assertDataset } from './dataset.js';
import { checkRng } from './sampler.js';
import { checkFraction, type DatasetSplit, type SplitOptions, splitByFold } from './split-helpers.js';
import type { Dataset } from './types.js';

/** The groups of a dataset in order of first appearance, and each item's group number. */
export function groupsOf(dataset: Dataset): { readonly count: number; readonly groupOf: Int32Array } {
  const ids = new Map<string, number>();
  const groupOf = Int32Array.from(dataset.items, (item) => {
    const key = item.group ?? `\u0000${item.id}`; // an item without a group is a group of its own
    let g = ids.get(key);
    if (g === undefined) {
      g = ids.size;
      ids.set(key, g);
    }
    return g;
  });
  return { count: ids.size, groupOf };
}

/**
 * A seeded train/validation split that never splits a group: all images of one product (or one whale)
 * land on the same side, so validation measures generalisation to unseen products (Cdiscount write-up:
 * products of 1–4 images). `round(groups × validFraction)` groups, drawn uniformly, go to validation
 * (scikit-learn's `GroupShuffleSplit`); items without a group are groups of one.
 *
 * @param dataset - a dataset whose items carry `group`.
 */
export function groupSplit(dataset: Dataset, options: SplitOptions): DatasetSplit {
  const fn = 'groupSplit';
  assertDataset(fn, dataset);
  checkRng(fn, options?.rng);
  const { validFraction = 0.2, rng } = options;
  checkFraction(fn, validFraction);
  const { count, groupOf } = groupsOf(dataset);
  const validGroups = new Uint8Array(count);
  for (const g of rng.permutation(count).slice(0, Math.round(count * validFraction))) validGroups[g] = 1;
  return splitByFold(
    dataset,
    Int32Array.from(groupOf, (g) => validGroups[g]!),
    1,
  );
}
