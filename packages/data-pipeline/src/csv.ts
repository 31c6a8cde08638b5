import { InvalidArgumentError } from '@topk/core';

/**
 * An incremental RFC 4180 parser: quoted fields (with `""` for a quote, and line breaks inside quotes),
 * LF or CRLF line ends, a leading byte-order mark dropped, blank lines skipped. Feed it chunks of any size.
 */
export class CsvParser {
  readonly #delimiter: string;
  #field = '';
  #row: string[] = [];
  #quoted = false;
  /** Inside quotes, the last character was a quote: either the closing one or the first of `""`. */
  #quotePending = false;
  #fieldStarted = false;
  #first = true;
  /** Line of the input where the current row starts (1-based), for error messages. */
  #line = 1;
  #rowLine = 1;
  readonly #rows: { readonly line: number; readonly fields: string[] }[] = [];

  constructor(delimiter = ',') {
    if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || delimiter === '\n') {
      throw new InvalidArgumentError(
        'CsvParser',
        'delimiter',
        'a single character other than a quote or newline',
        delimiter,
      );
    }
    this.#delimiter = delimiter;
  }

  /** Parses `chunk` and returns the rows it completed, each with the line it starts on. */
  push(chunk: string): { readonly line: number; readonly fields: string[] }[] {
    let text = chunk;
    if (this.#first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.#first = false;
    }
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (this.#quoted) {
        if (this.#quotePending) {
          this.#quotePending = false;
          if (ch === '"') {
            this.#field += '"';
            continue;
          }
          this.#quoted = false;
          // fall through: the character after a closing quote is handled unquoted
        } else if (ch === '"') {
          this.#quotePending = true;
          continue;
        } else {
          if (ch === '\n') this.#line++;
          this.#field += ch;
          continue;
        }
      }
      if (ch === '"' && !this.#fieldStarted) {
        this.#quoted = true;
        this.#fieldStarted = true;
      } else if (ch === this.#delimiter) {
        this.#endField();
      } else if (ch === '\n') {
        this.#endRow();
        this.#line++;
        this.#rowLine = this.#line;
      } else if (ch === '\r') {
        // CR of CRLF (or a lone CR) is dropped; a CR inside quotes is kept above.
      } else {
        this.#field += ch;
        this.#fieldStarted = true;
      }
    }
    return this.#rows.splice(0);
  }

  /** Finishes the input; returns the last row if the text did not end with a newline. */
  end(): { readonly line: number; readonly fields: string[] }[] {
    if (this.#quoted && !this.#quotePending) {
      throw new InvalidArgumentError(
        'CsvParser',
        'csv',
        `closed quotes (a quoted field opened on line ${this.#rowLine} never ends)`,
        'end of input',
      );
    }
    this.#quoted = false;
    this.#quotePending = false;
    this.#endRow();
    return this.#rows.splice(0);
  }

  #endField(): void {
    this.#row.push(this.#field);
    this.#field = '';
    this.#fieldStarted = false;
  }

  #endRow(): void {
    this.#endField();
    const row = this.#row;
    this.#row = [];
    if (row.length === 1 && row[0] === '') return;
    this.#rows.push({ line: this.#rowLine, fields: row });
  }
}

/**
 * Parses a whole CSV text (RFC 4180; see {@link CsvParser}) into rows of fields.
 *
 * @param text - the CSV.
 * @param delimiter - the field separator; defaults to a comma.
 */
export function parseCsv(text: string, delimiter = ','): string[][] {
  if (typeof text !== 'string') throw new InvalidArgumentError('parseCsv', 'text', 'a string', text);
  const parser = new CsvParser(delimiter);
  return [...parser.push(text), ...parser.end()].map((row) => row.fields);
}
