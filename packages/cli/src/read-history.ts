import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from './usage-error.js';

/** One epoch of a training run's history: `epoch` plus every numeric log (`loss`, `val_loss`, `lr`, ...). */
export interface HistoryRow {
  readonly epoch: number;
  /** Logged values; `NaN` where the run logged a non-finite number (written as the string "NaN"). */
  readonly values: Readonly<Record<string, number>>;
}

/**
 * Reads `history.jsonl` of a run directory: one JSON object per line and epoch, as the training loop's
 * `jsonlHistory` callback writes it (`{"epoch":1,"loss":0.9,"val_loss":1.1,"val_accuracy":0.61,...}`).
 * Numbers written as strings ("NaN", "Infinity") read as `NaN`; other non-numeric fields are ignored. A
 * line without `epoch` gets its line number. Problems throw a {@link UsageError} naming `--run` and the line.
 *
 * @param runDir - the run directory.
 * @param shown - how to name it in messages.
 */
export async function readHistory(runDir: string, shown: string): Promise<HistoryRow[]> {
  const path = join(runDir, 'history.jsonl');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`--run ${shown}: no history.jsonl in this run directory`, { hint: false });
  }
  const rows: HistoryRow[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new UsageError(`--run ${shown}/history.jsonl line ${i + 1}: ${(error as Error).message}`, {
        hint: false,
      });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new UsageError(`--run ${shown}/history.jsonl line ${i + 1}: expected a JSON object`, {
        hint: false,
      });
    }
    const values: Record<string, number> = {};
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value === 'number') values[key] = value;
      else if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') values[key] = Number.NaN;
    }
    const { epoch = rows.length + 1, ...rest } = values;
    rows.push({ epoch, values: rest });
  });
  if (rows.length === 0)
    throw new UsageError(`--run ${shown}/history.jsonl: no epochs logged yet`, { hint: false });
  return rows;
}
