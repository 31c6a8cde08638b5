import type { PredictionTable } from '@topk/core';
import { parsePredictionCsv } from '@topk/thresholding';
import { readFlagFile } from './cli-files.js';

/**
 * Reads a prediction CSV (`id,<class 1>,<class 2>,...`, one probability per class) named by a flag;
 * malformed files throw a {@link UsageError} naming the flag, the file and the line.
 *
 * @param flag - e.g. `--preds`.
 * @param path - absolute path.
 * @param cwd - for messages.
 * @param classes - expected class columns (reordered to this order; other columns are an error).
 */
export function readPredictionFile(
  flag: string,
  path: string,
  cwd: string,
  classes?: readonly string[],
): Promise<PredictionTable> {
  return readFlagFile(flag, path, cwd, (text) => parsePredictionCsv(text, classes ? { classes } : {}));
}
