import { ClassVocabulary } from '@topk/core';
import { frozenDataset } from './dataset.js';
import type { Dataset, DatasetItem } from './types.js';

/**
 * The dataset restricted to the classes with `keep[c]`, with a vocabulary of those classes only (in their
 * previous relative order) and labels renumbered accordingly. Single-label: items of other classes go.
 * Multi-label: other labels are removed from each item; items left without labels go only when
 * `dropEmpty` (an image with none of the kept labels is still a valid negative).
 */
export function keepClasses(
  dataset: Dataset,
  vocabulary: ClassVocabulary,
  keep: readonly boolean[],
  dropEmpty: boolean,
): Dataset {
  const newIndex = new Int32Array(vocabulary.size).fill(-1);
  const names: string[] = [];
  keep.forEach((kept, c) => {
    if (kept) {
      newIndex[c] = names.length;
      names.push(vocabulary.nameOf(c));
    }
  });
  const newVocabulary = names.length > 0 ? new ClassVocabulary(names, { sort: false }) : undefined;
  const items: DatasetItem[] = [];
  for (const item of dataset.items) {
    if (dataset.multiLabel) {
      const labels: number[] = [];
      for (const l of item.labels!) if (newIndex[l]! >= 0) labels.push(newIndex[l]!);
      if (labels.length === 0 && (dropEmpty || newVocabulary === undefined)) continue;
      items.push({ ...item, labels });
    } else if (newIndex[item.label!]! >= 0) {
      items.push({ ...item, label: newIndex[item.label!]! });
    }
  }
  return frozenDataset(items, newVocabulary, dataset.multiLabel);
}
