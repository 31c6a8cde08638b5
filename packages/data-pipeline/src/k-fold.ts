import { InvalidArgumentError, type Rng } from '@topk/core';
import { assertDataset, requireLabels } from './dataset.js';
import { groupsOf } from './group-split.js';
import { checkRng } from './sampler.js';
import { type DatasetSplit, iterativeStratification, splitByFold } from './split-helpers.js';
import type { Dataset } from './types.js';

/** What {@link kFold} keeps together or balanced. */
export type FoldStrategy = 'item' | 'class' | 'group';

/** Options of {@link kFold}. */
export interface KFoldOptions {
  /** @defaultValue 5 */
  readonly k?: number;
  /**
   * `'item'`: plain shuffled folds; `'class'`: stratified (each class spread evenly over the folds);
   * `'group'`: no group in two folds.
   * @defaultValue 'item'
   */
  readonly by?: FoldStrategy;
  /** Seeded randomness. */
  readonly rng: Rng;
}

/** One fold of a cross-validation: its validation part and the rest. */
export interface Fold extends DatasetSplit {
  /** The fold's number, from 0. */
  readonly index: number;
}

/**
 * Assigns every item to one of `k` folds, for cross-validation and out-of-fold predictions; fold `i`
 * validates on its items and trains on the rest, so the validation parts partition the dataset.
 *
 * - `'item'`: a random permutation cut into folds of sizes differing by at most one (the first `n mod k`
 *   folds get one more, as scikit-learn's `KFold`);
 * - `'class'`: single-label, each class's items (shuffled) are dealt round-robin over the folds, the
 *   dealing continuing from class to class, so every class has `floor` or `ceil` of `count / k` items per
 *   fold and fold sizes differ by at most one; multi-label, iterative stratification;
 * - `'group'`: groups, largest first (ties in random order), each to the fold with the fewest items
 *   (scikit-learn's `GroupKFold`); items without a group are groups of one.
 *
 * @param dataset - the dataset; labelled for `'class'`.
 */
export function kFold(dataset: Dataset, options: KFoldOptions): Fold[] {
  const fn = 'kFold';
  assertDataset(fn, dataset);
  checkRng(fn, options?.rng);
  const { k = 5, by = 'item', rng } = options;
  const n = dataset.items.length;
  if (!Number.isSafeInteger(k) || k < 2 || k > Math.max(2, n)) {
    throw new InvalidArgumentError(
      fn,
      'options.k',
      `an integer in [2, ${Math.max(2, n)}] (the number of items)`,
      k,
    );
  }
  let fold: Int32Array;
  switch (by) {
    case 'item': {
      fold = new Int32Array(n);
      const order = rng.permutation(n);
      let start = 0;
      for (let f = 0; f < k; f++) {
        const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
        for (let p = start; p < start + size; p++) fold[order[p]!] = f;
        start += size;
      }
      break;
    }
    case 'class': {
      const vocabulary = requireLabels(fn, dataset);
      if (dataset.multiLabel) {
        const labelSets = dataset.items.map((item) => item.labels!);
        fold = iterativeStratification(labelSets, vocabulary.size, Array(k).fill(1 / k), rng);
        break;
      }
      const members: number[][] = Array.from({ length: vocabulary.size }, () => []);
      dataset.items.forEach((item, i) => {
        members[item.label!]!.push(i);
      });
      fold = new Int32Array(n);
      let dealt = 0;
      for (const list of members) for (const i of rng.shuffle([...list])) fold[i] = dealt++ % k;
      break;
    }
    case 'group': {
      const { count, groupOf } = groupsOf(dataset);
      if (count < k)
        throw new InvalidArgumentError(fn, 'options.k', `at most the number of groups (${count})`, k);
      const sizes = new Int32Array(count);
      for (const g of groupOf) sizes[g]!++;
      const order = rng.permutation(count).sort((a, b) => sizes[b]! - sizes[a]!);
      const foldOfGroup = new Int32Array(count);
      const load = new Int32Array(k);
      for (const g of order) {
        let target = 0;
        for (let f = 1; f < k; f++) if (load[f]! < load[target]!) target = f;
        foldOfGroup[g] = target;
        load[target]! += sizes[g]!;
      }
      fold = Int32Array.from(groupOf, (g) => foldOfGroup[g]!);
      break;
    }
    default:
      throw new InvalidArgumentError(fn, 'options.by', 'one of item, class, group', by);
  }
  return Array.from({ length: k }, (_, index) => ({ index, ...splitByFold(dataset, fold, index) }));
}
