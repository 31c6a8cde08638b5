import { open, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ClassVocabulary } from '@topk/core';
import type { Dataset } from '@topk/data-pipeline';
import { displayPath, rethrowAsUsage } from './cli-files.js';
import { UsageError } from './usage-error.js';

/** How a dataset argument `D` was read. */
export type DatasetFormat = 'folder' | 'csv' | 'idx';

/** A dataset named on the command line. */
export interface LoadedDataset {
  readonly dataset: Dataset;
  readonly format: DatasetFormat;
  /** The absolute path given. */
  readonly path: string;
  /** Files under a folder dataset that are not listed (not images, or in the root itself). */
  readonly ignored: readonly string[];
}

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions {
  /** The flag that named the dataset, for messages. @defaultValue '--data' */
  readonly flag?: string;
  /** Working directory, for messages. */
  readonly cwd: string;
  /** CSV only: the folder image paths are relative to. @defaultValue the CSV's folder */
  readonly root?: string;
  /** Index labels with a saved vocabulary (a model's) instead of the sorted names found. */
  readonly vocabulary?: ClassVocabulary;
}

const IDX_NAME = /idx\d-ubyte(\.gz)?$/i;

async function readHeaderLine(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(65_536);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = new TextDecoder().decode(buffer.subarray(0, bytesRead)).replace(/^\uFEFF/, '');
    const end = text.search(/\r?\n/);
    return end >= 0 ? text.slice(0, end) : text;
  } finally {
    await handle.close();
  }
}

/**
 * Reads a dataset argument `D`, whatever its form:
 *
 * - a folder of class folders (`D/<class>/<image>`): ids are paths relative to `D`;
 * - a CSV whose first column is the id (an image path relative to `root`) and whose `label` column holds
 *   one class, or `labels` column space-separated classes (multi-label); without either it is unlabelled;
 * - an IDX images file (`*-images-idx3-ubyte[.gz]`, MNIST / Fashion-MNIST), paired with the
 *   `*-labels-idx1-ubyte[.gz]` file beside it when there is one; ids are row numbers.
 *
 * A file that does not fit throws a {@link UsageError} naming the flag and the path.
 *
 * @param path - absolute path of the folder or file.
 */
export async function loadDataset(path: string, options: LoadDatasetOptions): Promise<LoadedDataset> {
  const { flag = '--data', cwd, root, vocabulary } = options;
  const shown = displayPath(cwd, path);
  const info = await stat(path).catch(() => undefined);
  if (info === undefined)
    throw new UsageError(`${flag} must be an existing path, got ${JSON.stringify(shown)}`);
  const { fromCsv, fromFolder, fromIdx, parseCsv } = await import('@topk/data-pipeline');
  if (info.isDirectory()) {
    if (root !== undefined) throw new UsageError(`--root applies to a CSV ${flag}, and ${shown} is a folder`);
    const folder = await rethrowAsUsage(flag, path, cwd, () =>
      fromFolder(path, vocabulary ? { vocabulary } : {}),
    );
    if (folder.items.length === 0) {
      throw new UsageError(
        `${flag} ${shown}: no images in class folders (expected ${shown}/<class>/<image>)`,
        {
          hint: false,
        },
      );
    }
    const { ignored, ...dataset } = folder;
    return { dataset, format: 'folder', path, ignored };
  }
  if (IDX_NAME.test(basename(path))) {
    if (root !== undefined)
      throw new UsageError(`--root applies to a CSV ${flag}, and ${shown} is an IDX file`);
    const labelsName = basename(path).replace(/images-idx3/i, 'labels-idx1');
    const labelsPath = join(dirname(path), labelsName);
    const hasLabels =
      labelsName !== basename(path) && (await stat(labelsPath).catch(() => undefined))?.isFile();
    const dataset = await rethrowAsUsage(flag, path, cwd, () =>
      fromIdx(path, hasLabels ? labelsPath : undefined, vocabulary ? { classNames: vocabulary.names } : {}),
    );
    return { dataset, format: 'idx', path, ignored: [] };
  }
  const header = await rethrowAsUsage(
    flag,
    path,
    cwd,
    async () => parseCsv(await readHeaderLine(path))[0] ?? [],
  );
  const columns = header.map((h) => h.trim());
  const idColumn = columns[0];
  if (idColumn === undefined || idColumn === '') {
    throw new UsageError(`${flag} ${shown}: a CSV needs a header row whose first column is the id`, {
      hint: false,
    });
  }
  const multiLabel = !columns.includes('label') && columns.includes('labels');
  const dataset = await rethrowAsUsage(flag, path, cwd, () =>
    fromCsv(path, {
      idColumn,
      multiLabel,
      ...(root !== undefined ? { root } : {}),
      ...(vocabulary ? { vocabulary } : {}),
    }),
  );
  return { dataset, format: 'csv', path, ignored: [] };
}
