import type { Callback, CallbackContext, CallbackState } from './callback.js';
import { writeFileAtomic } from './checkpoint-io.js';
import type { Logs } from './types.js';
import { checkString } from './validate.js';

function csvLine(values: readonly string[]): string {
  return values.map((v) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)).join(',');
}

/** CSV text of epoch logs: one column per key, in first-seen order; a missing value is an empty cell. */
export function historyToCsv(rows: readonly Logs[]): string {
  const columns: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  const lines = [csvLine(columns)];
  for (const row of rows)
    lines.push(csvLine(columns.map((c) => (row[c] === undefined ? '' : String(row[c])))));
  return `${lines.join('\n')}\n`;
}

/** JSON Lines text of epoch logs: one object per epoch. Non-finite numbers become strings ("NaN"). */
export function historyToJsonl(rows: readonly Logs[]): string {
  return rows
    .map(
      (row) =>
        `${JSON.stringify(row, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value))}\n`,
    )
    .join('');
}

/**
 * Writes the epoch logs to a file after every epoch, the whole file each time, atomically. The rows are
 * part of the checkpoint, so a resumed run rewrites exactly the epochs it has, without duplicates from
 * the epochs the killed run logged after its last checkpoint.
 */
export class HistoryLogger implements Callback {
  readonly name: string;
  // Before Checkpoint (20), so that a checkpoint taken at the end of an epoch already holds its log line.
  readonly order = 15;
  readonly path: string;
  readonly format: 'csv' | 'jsonl';
  #rows: Logs[] = [];
  #restored = false;

  constructor(path: string, format: 'csv' | 'jsonl') {
    this.name = format === 'csv' ? 'csvHistory' : 'jsonlHistory';
    this.path = checkString(this.name, 'path', path);
    this.format = format;
  }

  /** The rows written so far. */
  get rows(): readonly Logs[] {
    return this.#rows;
  }

  onTrainBegin(): void {
    if (!this.#restored) this.#rows = [];
    this.#restored = false;
  }

  async onEpochEnd({ logs }: CallbackContext): Promise<void> {
    this.#rows.push({ ...logs });
    const text = this.format === 'csv' ? historyToCsv(this.#rows) : historyToJsonl(this.#rows);
    const { dirname } = await import('node:path');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dirname(this.path), { recursive: true });
    await writeFileAtomic(this.path, text);
  }

  getState(): CallbackState {
    return {
      json: this.#rows.map((row) =>
        Object.entries(row).map(([k, v]) => [k, Number.isFinite(v) ? v : String(v)]),
      ),
    };
  }

  setState(state: CallbackState): void {
    const rows = Array.isArray(state.json) ? (state.json as [string, number | string][][]) : [];
    this.#rows = rows.map((entries) => Object.fromEntries(entries.map(([k, v]) => [k, Number(v)])));
    this.#restored = true;
  }
}

/** Epoch logs as CSV at `path` (Keras's `CSVLogger`). */
export function csvHistory(path: string): HistoryLogger {
  return new HistoryLogger(path, 'csv');
}

/** Epoch logs as JSON Lines at `path`. */
export function jsonlHistory(path: string): HistoryLogger {
  return new HistoryLogger(path, 'jsonl');
}
