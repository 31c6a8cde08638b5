import { checkOptions, InvalidArgumentError } from '@topk/core';

/**
 * Splits CSV text (RFC 4180) into records of fields: fields separated by commas, records by `\n` or
 * `\r\n`; a field in double quotes may hold commas, line breaks and doubled quotes (`""` for `"`). A
 * leading byte-order mark is dropped, and so are empty lines (including the one after a final newline).
 * Unbalanced or stray quotes are errors that give the line.
 *
 * @param text - the CSV document.
 */
export function parseCsv(text: string): string[][] {
  return parseCsvLines('parseCsv', text).records;
}

/** {@link parseCsv} plus the line each record starts on (internal: for error messages). */
export function parseCsvLines(fn: string, text: string): { records: string[][]; lines: number[] } {
  if (typeof text !== 'string') throw new InvalidArgumentError(fn, 'text', 'a string', text);
  const records: string[][] = [];
  const lines: number[] = [];
  let recordLine = 1;
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const fail = (problem: string): never => {
    throw new InvalidArgumentError(fn, 'text', `valid CSV (${problem})`, text);
  };
  const endField = (): void => {
    record.push(field);
    field = '';
    quoted = false;
  };
  const endRecord = (): void => {
    // A line with nothing on it is skipped rather than read as one empty field ("" is kept).
    const blank = record.length === 0 && field === '' && !quoted;
    endField();
    if (!blank) {
      records.push(record);
      lines.push(recordLine);
    }
    record = [];
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      if (field !== '' || quoted) fail(`a quote inside an unquoted field on line ${line}`);
      quoted = true;
      const startLine = line;
      i++;
      for (;;) {
        if (i >= text.length) fail(`the quoted field starting on line ${startLine} is never closed`);
        const q = text[i]!;
        if (q === '"') {
          if (text[i + 1] !== '"') break;
          field += '"';
          i += 2;
          continue;
        }
        if (q === '\n') line++;
        field += q;
        i++;
      }
      i++;
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        fail(`text after a closing quote on line ${line}`);
      }
    } else if (ch === ',') {
      endField();
      i++;
    } else if (ch === '\n' || ch === '\r') {
      endRecord();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      // A whole unquoted field at once: slicing is far faster than appending characters.
      let end = i + 1;
      while (end < text.length) {
        const c = text.charCodeAt(end);
        if (c === 44 || c === 10 || c === 13 || c === 34) break; // , \n \r "
        end++;
      }
      if (text.charCodeAt(end) === 34) fail(`a quote inside an unquoted field on line ${line}`);
      field = text.slice(i, end);
      i = end;
    }
  }
  if (field !== '' || quoted || record.length > 0) endRecord();
  return { records, lines };
}

/** Quotes a field when it holds a comma, a quote or a line break (doubling its quotes). */
export function formatCsvField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/**
 * Joins records into CSV text (RFC 4180 quoting, `\n` line ends, a final newline).
 * @param records - rows of fields.
 */
export function formatCsv(records: readonly (readonly string[])[]): string {
  const fn = 'formatCsv';
  if (!Array.isArray(records))
    throw new InvalidArgumentError(fn, 'records', 'an array of string arrays', records);
  return records
    .map((record: unknown, r) => {
      if (!Array.isArray(record)) {
        throw new InvalidArgumentError(fn, `records[${r}]`, 'an array of strings', record);
      }
      return `${record
        .map((field: unknown, k) => {
          if (typeof field !== 'string') {
            throw new InvalidArgumentError(fn, `records[${r}][${k}]`, 'a string', field);
          }
          return formatCsvField(field);
        })
        .join(',')}\n`;
    })
    .join('');
}

/** A value {@link recordsToCsv} can write. */
export type CsvValue = string | number | boolean | null;

/** Options of {@link recordsToCsv}. */
export interface RecordsToCsvOptions {
  /**
   * Columns to write, in order. Defaults to the keys of the first record (an empty list gives an empty
   * string).
   */
  readonly columns?: readonly string[];
}

/**
 * Writes a list of flat objects (such as {@link topLosses} or {@link suspectLabels}) as CSV with a header
 * row. `null` and missing values become empty fields; numbers use their shortest round-trip form.
 *
 * @param records - objects whose values are strings, numbers, booleans or null.
 */
export function recordsToCsv<T extends { readonly [K in keyof T]: CsvValue | undefined }>(
  records: readonly T[],
  options: RecordsToCsvOptions = {},
): string {
  const fn = 'recordsToCsv';
  if (!Array.isArray(records)) throw new InvalidArgumentError(fn, 'records', 'an array of objects', records);
  const { columns = records.length > 0 ? Object.keys(records[0] ?? {}) : [] } =
    checkOptions<RecordsToCsvOptions>(fn, options);
  if (!Array.isArray(columns) || !columns.every((name) => typeof name === 'string')) {
    throw new InvalidArgumentError(fn, 'options.columns', 'an array of column names', columns);
  }
  if (columns.length === 0) return '';
  const rows = records.map((record: unknown, r) => {
    if (typeof record !== 'object' || record === null) {
      throw new InvalidArgumentError(fn, `records[${r}]`, 'an object', record);
    }
    return columns.map((name) => {
      const value = (record as Record<string, unknown>)[name];
      if (value === null || value === undefined) return '';
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
        return String(value);
      throw new InvalidArgumentError(fn, `records[${r}].${name}`, 'a string, number, boolean or null', value);
    });
  });
  return formatCsv([columns, ...rows]);
}
