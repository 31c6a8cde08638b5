import type { PredictionTable } from '@topk/core';
import {
  checkInteger,
  checkOptions,
  checkPredictionTable,
  createPredictionTable,
  InvalidArgumentError,
} from '@topk/core';
import { formatCsvField, parseCsvLines } from './csv.js';
import { float32Text } from './float32-text.js';

/** Options of {@link formatPredictionCsv}. */
export interface FormatPredictionCsvOptions {
  /**
   * Significant digits per probability. By default each value is written with the fewest digits that
   * read back as the same float32, so a table survives a round trip exactly.
   */
  readonly digits?: number;
  /**
   * Header of the id column.
   * @defaultValue 'id'
   */
  readonly idHeader?: string;
}

/** Options of {@link parsePredictionCsv}. */
export interface ParsePredictionCsvOptions {
  /**
   * Expected classes in vocabulary order: the columns are reordered to it, and a file whose class columns
   * are not exactly these names is rejected. By default the file's column order is kept.
   */
  readonly classes?: readonly string[];
}

/**
 * Writes a prediction table as CSV: a header `id,<class 1>,<class 2>,…` (classes in the table's order),
 * then one line per row with its id and probabilities. Ids and class names with commas, quotes or line
 * breaks are quoted.
 *
 * @param table - the predictions.
 */
export function formatPredictionCsv(
  table: PredictionTable,
  options: FormatPredictionCsvOptions = {},
): string {
  const fn = 'formatPredictionCsv';
  checkPredictionTable(fn, 'table', table);
  const { digits, idHeader = 'id' } = checkOptions<FormatPredictionCsvOptions>(fn, options);
  if (digits !== undefined) {
    checkInteger(fn, 'options.digits', digits, 1);
    if (digits > 9) throw new InvalidArgumentError(fn, 'options.digits', 'an integer in [1, 9]', digits);
  }
  if (typeof idHeader !== 'string' || idHeader.length === 0) {
    throw new InvalidArgumentError(fn, 'options.idHeader', 'a non-empty string', idHeader);
  }
  const format = digits === undefined ? float32Text : (v: number) => String(Number(v.toPrecision(digits)));
  const c = table.classes.length;
  const lines = [[idHeader, ...table.classes].map(formatCsvField).join(',')];
  table.ids.forEach((id, i) => {
    const fields = [formatCsvField(id)];
    for (let j = 0; j < c; j++) fields.push(format(table.probs[i * c + j]!));
    lines.push(fields.join(','));
  });
  return `${lines.join('\n')}\n`;
}

function parseProbability(text: string): number {
  // Number('') is 0 and Number(' 1 ') is 1: require a plain decimal literal instead.
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : Number.NaN;
}

/**
 * Reads a prediction table from CSV written by {@link formatPredictionCsv} (or any file with ids in the
 * first column and one probability column per class, the first row naming the classes). Every data line
 * must have one field per header column and probabilities in [0, 1]; errors give the line and column.
 *
 * @param text - the CSV document.
 */
export function parsePredictionCsv(text: string, options: ParsePredictionCsvOptions = {}): PredictionTable {
  const fn = 'parsePredictionCsv';
  if (typeof text !== 'string') throw new InvalidArgumentError(fn, 'text', 'a string', text);
  const { classes } = checkOptions<ParsePredictionCsvOptions>(fn, options);
  const { records, lines } = parseCsvLines(fn, text);
  const header = records[0];
  if (header === undefined || header.length < 2) {
    throw new InvalidArgumentError(
      fn,
      'text',
      'CSV with a header "id,<class>,…" naming at least one class',
      text,
    );
  }
  const fileClasses = header.slice(1);
  let order = fileClasses.map((_, j) => j);
  let outClasses = fileClasses;
  if (classes !== undefined) {
    if (!Array.isArray(classes))
      throw new InvalidArgumentError(fn, 'options.classes', 'an array of class names', classes);
    const column = new Map(fileClasses.map((name, j) => [name, j]));
    const missing = classes.filter((name) => !column.has(name));
    const wanted = new Set(classes);
    const extra = fileClasses.filter((name) => !wanted.has(name));
    if (missing.length > 0 || extra.length > 0 || classes.length !== fileClasses.length) {
      const parts: string[] = [];
      if (missing.length > 0)
        parts.push(
          `missing ${missing
            .slice(0, 5)
            .map((x) => JSON.stringify(x))
            .join(', ')}`,
        );
      if (extra.length > 0)
        parts.push(
          `unexpected ${extra
            .slice(0, 5)
            .map((x) => JSON.stringify(x))
            .join(', ')}`,
        );
      if (parts.length === 0) parts.push('a class column appears twice');
      throw new InvalidArgumentError(
        fn,
        'text',
        `a header whose class columns are options.classes (${parts.join('; ')})`,
        header.join(','),
      );
    }
    order = classes.map((name) => column.get(name)!);
    outClasses = [...classes];
  }
  const c = fileClasses.length;
  const rows = records.length - 1;
  const ids: string[] = new Array(rows);
  const probs = new Float32Array(rows * c);
  for (let r = 0; r < rows; r++) {
    const record = records[r + 1]!;
    const where = `line ${lines[r + 1]}`;
    if (record.length !== c + 1) {
      throw new InvalidArgumentError(
        fn,
        `text (${where})`,
        `${c + 1} fields like the header`,
        record.join(','),
      );
    }
    ids[r] = record[0]!;
    for (let j = 0; j < c; j++) {
      const field = record[order[j]! + 1]!;
      const p = parseProbability(field);
      if (!(p >= 0 && p <= 1)) {
        throw new InvalidArgumentError(
          fn,
          `text (${where}, column ${JSON.stringify(fileClasses[order[j]!])})`,
          'a probability in [0, 1]',
          field,
        );
      }
      probs[r * c + j] = p;
    }
  }
  return createPredictionTable(ids, outClasses, probs);
}
