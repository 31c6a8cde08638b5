import { InvalidArgumentError } from '@topk/core';
import { requireLabels } from './dataset.js';
import { keepClasses } from './keep-classes.js';
import type { Dataset } from './types.js';

/** Options of {@link dropRareLabels}. */
export interface DropRareLabelsOptions {
  /** Labels that occur on fewer images than this are removed. */
  readonly minCount: number;
  /**
   * Also drop items left without any label.
   * @defaultValue false
   */
  readonly dropEmpty?: boolean;
}

/**
 * Removes multi-label labels that occur on fewer than `minCount` images (iMaterialist write-up: labels
 * too rare to learn), from every item and from the vocabulary (remaining labels keep their order and are
 * renumbered). Items keep their other labels; items left with none stay as negatives unless `dropEmpty`.
 *
 * @param dataset - a labelled multi-label dataset.
 */
export function dropRareLabels(dataset: Dataset, options: DropRareLabelsOptions): Dataset {
  const fn = 'dropRareLabels';
  const vocabulary = requireLabels(fn, dataset);
  if (!dataset.multiLabel) {
    throw new InvalidArgumentError(
      fn,
      'dataset',
      'a multi-label dataset (use dropRareClasses)',
      'a single-label dataset',
    );
  }
  const { minCount, dropEmpty = false } = options ?? {};
  if (!Number.isSafeInteger(minCount) || minCount < 1) {
    throw new InvalidArgumentError(fn, 'options.minCount', 'a positive integer', minCount);
  }
  if (typeof dropEmpty !== 'boolean')
    throw new InvalidArgumentError(fn, 'options.dropEmpty', 'a boolean', dropEmpty);
  const counts = new Int32Array(vocabulary.size);
  for (const item of dataset.items) for (const l of item.labels!) counts[l]!++;
  return keepClasses(
    dataset,
    vocabulary,
    Array.from(counts, (c) => c >= minCount),
    dropEmpty,
  );
}
