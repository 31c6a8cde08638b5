import type { PredictionTable } from '@topk/core';
import type { ImageSource } from '@topk/data-pipeline';
import { displayPath } from './cli-files.js';
import type { LoadedDataset } from './load-dataset.js';
import { UsageError } from './usage-error.js';

/** Labels of a dataset, one per row of a prediction table, with class indices into the table's columns. */
export interface AlignedLabels {
  readonly multiLabel: boolean;
  /** Single-label data: the class index of each row; `undefined` for multi-label data. */
  readonly labels: Int32Array | undefined;
  /** Every dataset: row-major rows × classes 0/1 targets (one 1 per row for single-label data). */
  readonly targets: Uint8Array;
  /** Where each row's image is, for thumbnails. */
  readonly sources: readonly ImageSource[];
  /** Labelled ids that have no row in the table. */
  readonly unpredicted: number;
}

function sample(ids: readonly string[]): string {
  return ids
    .slice(0, 3)
    .map((id) => JSON.stringify(id))
    .join(', ');
}

/**
 * Matches a labelled dataset to a prediction table by id and maps its class names onto the table's
 * columns. Every row needs a label and every label must be a column of the table; labelled ids without a
 * prediction are allowed and counted (a prediction file of a subset).
 *
 * @param table - the predictions.
 * @param loaded - the labels, e.g. from {@link loadDataset}.
 * @param flags - flag names of the two inputs, for messages.
 * @param cwd - for messages.
 */
export function alignLabels(
  table: PredictionTable,
  loaded: LoadedDataset,
  flags: { readonly preds: string; readonly labels: string },
  cwd: string,
): AlignedLabels {
  const { dataset } = loaded;
  const shown = `${flags.labels} ${displayPath(cwd, loaded.path)}`;
  const vocabulary = dataset.vocabulary;
  if (vocabulary === undefined) throw new UsageError(`${shown}: holds no labels`, { hint: false });
  const column = new Map(table.classes.map((name, i) => [name, i]));
  const toColumn = vocabulary.names.map((name) => column.get(name) ?? -1);
  const unknown = vocabulary.names.filter((_, i) => toColumn[i] === -1);
  const byId = new Map(dataset.items.map((item) => [item.id, item]));
  const n = table.ids.length;
  const c = table.classes.length;
  const missing = table.ids.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    throw new UsageError(
      `${shown}: no label for ${missing.length} of the ${n} ids of ${flags.preds} (${sample(missing)}${missing.length > 3 ? ', ...' : ''})`,
      { hint: false },
    );
  }
  const labels = dataset.multiLabel ? undefined : new Int32Array(n);
  const targets = new Uint8Array(n * c);
  const sources: ImageSource[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const item = byId.get(table.ids[i]!)!;
    sources[i] = item.source;
    const indices = dataset.multiLabel ? (item.labels ?? []) : [item.label!];
    for (const index of indices) {
      const target = toColumn[index]!;
      if (target < 0) {
        throw new UsageError(
          `${shown}: class ${JSON.stringify(vocabulary.names[index])} of id ${JSON.stringify(table.ids[i])} is not a column of ${flags.preds} (${unknown.length} such classes)`,
          { hint: false },
        );
      }
      targets[i * c + target] = 1;
      if (labels) labels[i] = target;
    }
  }
  return { multiLabel: dataset.multiLabel, labels, targets, sources, unpredicted: byId.size - n };
}
