import { type ClassVocabulary, InvalidArgumentError } from '@topk/core';
import type { BoundingBox, Dataset, DatasetItem, ImageSource } from './types.js';

/** Options of {@link createDataset}. */
export interface CreateDatasetOptions {
  /** Class names behind the label indices; required when items carry labels. */
  readonly vocabulary?: ClassVocabulary;
  /**
   * Items carry `labels` (multi-label) rather than `label`.
   * @defaultValue false
   */
  readonly multiLabel?: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Whether `source` is one of the {@link ImageSource} shapes; used by every entry point. */
export function isImageSource(source: unknown): source is ImageSource {
  if (typeof source === 'string') return source.length > 0;
  if (source instanceof Uint8Array) return true;
  if (!isRecord(source)) return false;
  if (source.kind === 'raw-record') {
    return (
      typeof source.path === 'string' &&
      Number.isSafeInteger(source.offset) &&
      Number.isSafeInteger(source.height) &&
      Number.isSafeInteger(source.width) &&
      Number.isSafeInteger(source.channels)
    );
  }
  return (
    source.data instanceof Uint8Array &&
    Number.isSafeInteger(source.height) &&
    Number.isSafeInteger(source.width) &&
    Number.isSafeInteger(source.channels)
  );
}

function isBox(box: unknown): box is BoundingBox {
  return (
    isRecord(box) &&
    [box.left, box.top, box.width, box.height].every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    (box.width as number) > 0 &&
    (box.height as number) > 0
  );
}

/**
 * Checks and freezes a listing: ids unique and non-empty, sources well-formed, labels in range of the
 * vocabulary (single-label: an integer `label`; multi-label: ascending unique `labels`), boxes with a
 * positive size. Every source goes through here, so everything downstream can trust a {@link Dataset}.
 *
 * @param items - the samples.
 */
export function createDataset(items: readonly DatasetItem[], options: CreateDatasetOptions = {}): Dataset {
  const fn = 'createDataset';
  if (!Array.isArray(items)) throw new InvalidArgumentError(fn, 'items', 'an array of items', items);
  const { vocabulary, multiLabel = false } = options;
  if (typeof multiLabel !== 'boolean') {
    throw new InvalidArgumentError(fn, 'options.multiLabel', 'a boolean', multiLabel);
  }
  const classCount = vocabulary?.size ?? 0;
  const seen = new Map<string, number>();
  items.forEach((item: unknown, i) => {
    if (!isRecord(item)) throw new InvalidArgumentError(fn, `items[${i}]`, 'an object', item);
    const { id, source, label, labels, group, box } = item;
    if (typeof id !== 'string' || id.length === 0) {
      throw new InvalidArgumentError(fn, `items[${i}].id`, 'a non-empty string', id);
    }
    const previous = seen.get(id);
    if (previous !== undefined) {
      throw new InvalidArgumentError(fn, `items[${i}].id`, `unique (it repeats items[${previous}].id)`, id);
    }
    seen.set(id, i);
    if (!isImageSource(source)) {
      throw new InvalidArgumentError(
        fn,
        `items[${i}].source`,
        'a path, encoded bytes, a decoded image or a raw record',
        source,
      );
    }
    if (multiLabel) {
      if (label !== undefined) {
        throw new InvalidArgumentError(fn, `items[${i}].label`, 'absent in a multi-label dataset', label);
      }
      if (labels !== undefined) {
        const ok =
          vocabulary !== undefined &&
          Array.isArray(labels) &&
          labels.every(
            (l: unknown, k) =>
              Number.isInteger(l) &&
              (l as number) >= 0 &&
              (l as number) < classCount &&
              (k === 0 || (l as number) > (labels[k - 1] as number)),
          );
        if (!ok) {
          throw new InvalidArgumentError(
            fn,
            `items[${i}].labels`,
            `ascending unique class indices in [0, ${classCount})${vocabulary ? '' : ' with a vocabulary'}`,
            labels,
          );
        }
      }
    } else {
      if (labels !== undefined) {
        throw new InvalidArgumentError(fn, `items[${i}].labels`, 'absent in a single-label dataset', labels);
      }
      if (
        label !== undefined &&
        (vocabulary === undefined ||
          !Number.isInteger(label) ||
          (label as number) < 0 ||
          (label as number) >= classCount)
      ) {
        throw new InvalidArgumentError(
          fn,
          `items[${i}].label`,
          `a class index in [0, ${classCount})${vocabulary ? '' : ' with a vocabulary'}`,
          label,
        );
      }
    }
    if (group !== undefined && (typeof group !== 'string' || group.length === 0)) {
      throw new InvalidArgumentError(fn, `items[${i}].group`, 'a non-empty string', group);
    }
    if (box !== undefined && !isBox(box)) {
      throw new InvalidArgumentError(
        fn,
        `items[${i}].box`,
        'a box { left, top, width, height } with finite values and a positive size',
        box,
      );
    }
  });
  const dataset: Dataset = vocabulary
    ? { items: Object.freeze([...items]), vocabulary, multiLabel }
    : { items: Object.freeze([...items]), multiLabel };
  return Object.freeze(dataset);
}

/**
 * The items at `indices`, in that order, with the same vocabulary. Indices need not be sorted; repeats
 * are refused because ids must stay unique.
 *
 * @param dataset - the full dataset.
 * @param indices - positions in `dataset.items`.
 */
export function subsetDataset(dataset: Dataset, indices: ArrayLike<number>): Dataset {
  const fn = 'subsetDataset';
  assertDataset(fn, dataset);
  const n = dataset.items.length;
  const taken = new Uint8Array(n);
  const items: DatasetItem[] = [];
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || (i as number) < 0 || (i as number) >= n || taken[i as number]) {
      throw new InvalidArgumentError(fn, `indices[${k}]`, `a unique integer in [0, ${n})`, i);
    }
    taken[i as number] = 1;
    items.push(dataset.items[i as number]!);
  }
  return withItems(dataset, items);
}

/** A dataset like `dataset` with other items (already checked by the caller), and its vocabulary. */
export function withItems(dataset: Dataset, items: readonly DatasetItem[]): Dataset {
  return frozenDataset(items, dataset.vocabulary, dataset.multiLabel);
}

/** A frozen dataset of already checked parts. */
export function frozenDataset(
  items: readonly DatasetItem[],
  vocabulary: ClassVocabulary | undefined,
  multiLabel: boolean,
): Dataset {
  const out: Dataset = vocabulary
    ? { items: Object.freeze([...items]), vocabulary, multiLabel }
    : { items: Object.freeze([...items]), multiLabel };
  return Object.freeze(out);
}

/** Throws unless `dataset` looks like a {@link Dataset}. */
export function assertDataset(
  fn: string,
  dataset: unknown,
  argument = 'dataset',
): asserts dataset is Dataset {
  if (!isRecord(dataset) || !Array.isArray(dataset.items) || typeof dataset.multiLabel !== 'boolean') {
    throw new InvalidArgumentError(fn, argument, 'a dataset { items, vocabulary?, multiLabel }', dataset);
  }
}

/** Throws unless every item of `dataset` is labelled; returns the vocabulary. */
export function requireLabels(fn: string, dataset: Dataset, argument = 'dataset'): ClassVocabulary {
  assertDataset(fn, dataset, argument);
  const vocabulary = dataset.vocabulary;
  const missing = dataset.items.findIndex((item) =>
    dataset.multiLabel ? item.labels === undefined : item.label === undefined,
  );
  if (vocabulary === undefined || missing >= 0) {
    throw new InvalidArgumentError(
      fn,
      argument,
      'a labelled dataset (a vocabulary and a label on every item)',
      missing >= 0 ? `item ${JSON.stringify(dataset.items[missing]!.id)} without a label` : 'no vocabulary',
    );
  }
  return vocabulary;
}

/** The class indices of an item: `[label]`, `labels`, or `[]` when unlabelled. */
export function itemClasses(item: DatasetItem): readonly number[] {
  if (item.labels !== undefined) return item.labels;
  if (item.label !== undefined) return [item.label];
  return [];
}
