import { ClassVocabulary, InvalidArgumentError } from '@topk/core';
import { CsvParser } from './csv.js';
import { createDataset } from './dataset.js';
import { isNode } from './read-source.js';
import type { BoundingBox, Dataset, DatasetItem } from './types.js';

/** Options of {@link fromCsv}. */
export interface CsvSourceOptions {
  /**
   * Directory (or URL prefix) that relative paths are resolved against.
   * @defaultValue the CSV file's directory; `''` for CSV text
   */
  readonly root?: string;
  /** @defaultValue 'id' */
  readonly idColumn?: string;
  /**
   * Column with the image path (relative to `root`, or absolute).
   * @defaultValue `idColumn`, as Kaggle CSVs name images by id
   */
  readonly pathColumn?: string;
  /** Appended to every path, e.g. `'.jpg'` when the CSV lists bare ids. @defaultValue '' */
  readonly extension?: string;
  /**
   * Column with the label(s). When the default column is absent the dataset is unlabelled (a test set);
   * a column named explicitly must exist.
   * @defaultValue `'labels'` when `multiLabel`, else `'label'`
   */
  readonly labelColumn?: string;
  /**
   * Each row carries a set of labels, separated by `labelSeparator` (Kaggle's `id,labels` with
   * `"1 5 23"`); an empty cell is an empty set.
   * @defaultValue false
   */
  readonly multiLabel?: boolean;
  /** @defaultValue ' ' */
  readonly labelSeparator?: string;
  /** Column with a group id (a product of several images). */
  readonly groupColumn?: string;
  /** Columns with a bounding box, as `[left, top, width, height]` column names. */
  readonly boxColumns?: readonly [string, string, string, string];
  /**
   * A saved vocabulary to index labels with (a model's); unknown labels then throw. Otherwise the
   * vocabulary is every label seen, sorted.
   */
  readonly vocabulary?: ClassVocabulary;
  /** @defaultValue ',' */
  readonly delimiter?: string;
}

/** CSV given as text rather than as a file path. */
export interface CsvText {
  readonly text: string;
}

function joinPath(root: string, path: string): string {
  if (root === '' || path.startsWith('/') || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(path)) return path;
  return root.endsWith('/') || root.endsWith('\\') ? `${root}${path}` : `${root}/${path}`;
}

async function* csvRows(
  csv: string | CsvText,
  delimiter: string,
): AsyncGenerator<{ readonly line: number; readonly fields: string[] }> {
  const parser = new CsvParser(delimiter);
  if (typeof csv !== 'string') {
    yield* parser.push(csv.text);
    yield* parser.end();
    return;
  }
  if (isNode()) {
    const { createReadStream } = await import('node:fs');
    // Streamed in chunks: a 12 M-row listing is parsed without holding the text.
    for await (const chunk of createReadStream(csv, { encoding: 'utf8' }))
      yield* parser.push(chunk as string);
  } else {
    const response = await fetch(csv);
    if (!response.ok)
      throw new InvalidArgumentError('fromCsv', 'csv', 'a readable CSV', `${csv} (HTTP ${response.status})`);
    yield* parser.push(await response.text());
  }
  yield* parser.end();
}

function columnIndex(header: readonly string[], name: string, argument: string): number {
  const index = header.indexOf(name);
  if (index < 0) {
    throw new InvalidArgumentError(
      'fromCsv',
      argument,
      `a column of the header (${header.map((h) => JSON.stringify(h)).join(', ')})`,
      name,
    );
  }
  return index;
}

interface RawRow {
  readonly line: number;
  readonly id: string;
  readonly path: string;
  readonly names: readonly string[] | undefined;
  readonly group: string | undefined;
  readonly box: BoundingBox | undefined;
}

/**
 * A dataset listed by a CSV file: `id,label` (single-label), `id,labels` with space-separated labels
 * (multi-label, as Kaggle ships them), optionally a path column, a group column and box columns. The
 * file is read as a stream. Rows are checked: a row with too few fields, an empty id or (single-label) an
 * empty label throws with its line number.
 *
 * @param csv - a CSV file path (a URL in a browser), or `{ text }`.
 *
 * @example
 * ```ts
 * // train.csv: image_id,labels\n000001,62 17 66\n...
 * const dataset = await fromCsv('data/train.csv', {
 *   idColumn: 'image_id', multiLabel: true, root: 'data/train', extension: '.jpg',
 * });
 * ```
 */
export async function fromCsv(csv: string | CsvText, options: CsvSourceOptions = {}): Promise<Dataset> {
  const fn = 'fromCsv';
  if (
    !(typeof csv === 'string' && csv.length > 0) &&
    !(typeof csv === 'object' && csv !== null && typeof csv.text === 'string')
  ) {
    throw new InvalidArgumentError(fn, 'csv', 'a file path or { text }', csv);
  }
  const {
    multiLabel = false,
    idColumn = 'id',
    pathColumn = idColumn,
    extension = '',
    labelSeparator = ' ',
    delimiter = ',',
    groupColumn,
    boxColumns,
    vocabulary,
  } = options;
  const defaultRoot =
    typeof csv === 'string' ? (csv.includes('/') ? csv.slice(0, csv.lastIndexOf('/')) : '.') : '';
  const root = options.root ?? defaultRoot;
  for (const [name, value] of Object.entries({ idColumn, pathColumn, extension, labelSeparator, root })) {
    if (typeof value !== 'string') throw new InvalidArgumentError(fn, `options.${name}`, 'a string', value);
  }
  if (labelSeparator.length === 0)
    throw new InvalidArgumentError(fn, 'options.labelSeparator', 'a non-empty string', labelSeparator);
  if (typeof multiLabel !== 'boolean')
    throw new InvalidArgumentError(fn, 'options.multiLabel', 'a boolean', multiLabel);
  if (vocabulary !== undefined && !(vocabulary instanceof ClassVocabulary)) {
    throw new InvalidArgumentError(fn, 'options.vocabulary', 'a ClassVocabulary', vocabulary);
  }
  if (boxColumns !== undefined && !(Array.isArray(boxColumns) && boxColumns.length === 4)) {
    throw new InvalidArgumentError(
      fn,
      'options.boxColumns',
      '[left, top, width, height] column names',
      boxColumns,
    );
  }
  const labelColumn = options.labelColumn ?? (multiLabel ? 'labels' : 'label');

  let header: string[] | undefined;
  let idIndex = -1;
  let pathIndex = -1;
  let labelIndex = -1;
  let groupIndex = -1;
  let boxIndices: number[] = [];
  const rows: RawRow[] = [];
  const seen = new Set<string>();
  for await (const { line, fields } of csvRows(csv, delimiter)) {
    if (header === undefined) {
      header = fields.map((f) => f.trim());
      idIndex = columnIndex(header, idColumn, 'options.idColumn');
      pathIndex = columnIndex(header, pathColumn, 'options.pathColumn');
      labelIndex = header.indexOf(labelColumn);
      if (labelIndex < 0 && options.labelColumn !== undefined)
        columnIndex(header, labelColumn, 'options.labelColumn');
      if (groupColumn !== undefined) groupIndex = columnIndex(header, groupColumn, 'options.groupColumn');
      if (boxColumns)
        boxIndices = boxColumns.map((c, k) => columnIndex(header!, c, `options.boxColumns[${k}]`));
      continue;
    }
    if (fields.length < header.length) {
      throw new InvalidArgumentError(
        fn,
        `line ${line}`,
        `${header.length} fields as in the header`,
        `${fields.length} fields`,
      );
    }
    const id = fields[idIndex]!.trim();
    if (id.length === 0)
      throw new InvalidArgumentError(fn, `line ${line}`, `a non-empty ${idColumn}`, fields[idIndex]);
    if (seen.has(id)) throw new InvalidArgumentError(fn, `line ${line}`, `a unique ${idColumn}`, id);
    seen.add(id);
    let names: string[] | undefined;
    if (labelIndex >= 0) {
      const cell = fields[labelIndex]!.trim();
      names = multiLabel ? cell.split(labelSeparator).filter((name) => name.length > 0) : [cell];
      if (!multiLabel && cell.length === 0) {
        throw new InvalidArgumentError(fn, `line ${line}`, `a non-empty ${labelColumn}`, fields[labelIndex]);
      }
    }
    let box: BoundingBox | undefined;
    if (boxIndices.length === 4) {
      const [left, top, width, height] = boxIndices.map((k) => Number(fields[k]!.trim()));
      if (![left, top, width, height].every((v) => Number.isFinite(v)) || !(width! > 0 && height! > 0)) {
        throw new InvalidArgumentError(
          fn,
          `line ${line}`,
          'box columns with finite numbers and a positive size',
          boxIndices.map((k) => fields[k]).join(','),
        );
      }
      box = { left: left!, top: top!, width: width!, height: height! };
    }
    const group = groupIndex >= 0 ? fields[groupIndex]!.trim() || undefined : undefined;
    rows.push({
      line,
      id,
      path: joinPath(root, `${fields[pathIndex]!.trim()}${extension}`),
      names,
      group,
      box,
    });
  }
  if (header === undefined)
    throw new InvalidArgumentError(fn, 'csv', 'a CSV with a header row', 'an empty file');

  const labelled = labelIndex >= 0;
  let vocab = vocabulary;
  if (labelled && vocab === undefined) {
    const all = new Set<string>();
    for (const row of rows) for (const name of row.names!) all.add(name);
    if (all.size === 0 && rows.length > 0) {
      throw new InvalidArgumentError(
        fn,
        'csv',
        'at least one label in the label column (or options.vocabulary)',
        'no labels',
      );
    }
    vocab = all.size > 0 ? new ClassVocabulary(all) : undefined;
  }
  const items: DatasetItem[] = rows.map((row) => {
    let labelFields: Pick<DatasetItem, 'label' | 'labels'> = {};
    if (labelled && vocab !== undefined) {
      const known = vocab;
      const indices = row.names!.map((name) => {
        if (!known.has(name)) {
          throw new InvalidArgumentError(
            fn,
            `line ${row.line}`,
            `labels of the given vocabulary (${known.size} classes)`,
            name,
          );
        }
        return known.indexOf(name);
      });
      labelFields = multiLabel
        ? { labels: [...new Set(indices)].sort((a, b) => a - b) }
        : { label: indices[0]! };
    }
    return {
      id: row.id,
      source: row.path,
      ...labelFields,
      ...(row.group !== undefined ? { group: row.group } : {}),
      ...(row.box !== undefined ? { box: row.box } : {}),
    };
  });
  return createDataset(items, { ...(labelled && vocab ? { vocabulary: vocab } : {}), multiLabel });
}
