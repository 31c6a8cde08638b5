import { InvalidArgumentError } from '@topk/core';
import { requireLabels } from './dataset.js';
import { keepClasses } from './keep-classes.js';
import type { Dataset } from './types.js';

/** Options of {@link dropRareClasses}. */
export interface DropRareClassesOptions {
  /** Classes with fewer images than this are dropped, with their images. */
  readonly minCount: number;
}

/**
 * Drops single-label classes with fewer than `minCount` images, and their images; the vocabulary shrinks
 * to the remaining classes (in their previous order) and labels are renumbered.
 *
 * @param dataset - a labelled single-label dataset.
 */
export function dropRareClasses(dataset: Dataset, options: DropRareClassesOptions): Dataset {
  const fn = 'dropRareClasses';
  const vocabulary = requireLabels(fn, dataset);
  if (dataset.multiLabel) {
    throw new InvalidArgumentError(
      fn,
      'dataset',
      'a single-label dataset (use dropRareLabels)',
      'a multi-label dataset',
    );
  }
  const minCount = options?.minCount;
  if (!Number.isSafeInteger(minCount) || minCount < 1) {
    throw new InvalidArgumentError(fn, 'options.minCount', 'a positive integer', minCount);
  }
  const counts = new Int32Array(vocabulary.size);
  for (const item of dataset.items) counts[item.label!]!++;
  return keepClasses(
    dataset,
    vocabulary,
    Array.from(counts, (c) => c >= minCount),
    false,
  );
}
