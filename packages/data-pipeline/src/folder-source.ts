import { ClassVocabulary, InvalidArgumentError, TopkError } from '@topk/core';
import { createDataset } from './dataset.js';
import { isNode } from './read-source.js';
import type { Dataset, DatasetItem } from './types.js';

/** Extensions {@link fromFolder} lists by default (compared case-insensitively). */
export const IMAGE_EXTENSIONS: readonly string[] = Object.freeze([
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.gif',
  '.tif',
  '.tiff',
  '.avif',
  '.heic',
  '.heif',
]);

/** Options of {@link fromFolder}. */
export interface FolderSourceOptions {
  /** File extensions listed as images; other files are reported in `ignored`. @defaultValue {@link IMAGE_EXTENSIONS} */
  readonly extensions?: readonly string[];
  /**
   * A saved vocabulary (a model's): class folders must be among its names, and indices follow it.
   * Otherwise the vocabulary is the class folder names, sorted.
   */
  readonly vocabulary?: ClassVocabulary;
}

/** A folder dataset, with the files it did not list. */
export interface FolderDataset extends Dataset {
  /** Paths found under the root that are not listed: files without an image extension, files in the root itself. */
  readonly ignored: readonly string[];
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A dataset of `root/<class>/<file>` (Keras' `flow_from_directory`, fastai's `from_folder`): one class per
 * sub-folder, files in nested folders belong to their top-level class. Listing order is sorted (code
 * units) so it is the same on every machine; ids are `class/relative/path`. Node only.
 *
 * Nothing is dropped silently: files that are not listed are returned in `ignored`; listed files that turn
 * out not to be images are quarantined later (see {@link checkDataset}).
 *
 * @param root - the dataset folder.
 */
export async function fromFolder(root: string, options: FolderSourceOptions = {}): Promise<FolderDataset> {
  const fn = 'fromFolder';
  if (typeof root !== 'string' || root.length === 0)
    throw new InvalidArgumentError(fn, 'root', 'a folder path', root);
  const { extensions = IMAGE_EXTENSIONS, vocabulary } = options;
  if (!Array.isArray(extensions) || !extensions.every((e) => typeof e === 'string' && e.startsWith('.'))) {
    throw new InvalidArgumentError(
      fn,
      'options.extensions',
      'an array of extensions such as ".jpg"',
      extensions,
    );
  }
  if (vocabulary !== undefined && !(vocabulary instanceof ClassVocabulary)) {
    throw new InvalidArgumentError(fn, 'options.vocabulary', 'a ClassVocabulary', vocabulary);
  }
  if (!isNode())
    throw new TopkError('UNSUPPORTED', `Error in ${fn}: listing folders needs Node; use fromCsv with URLs`);
  const wanted = new Set(extensions.map((e) => e.toLowerCase()));
  const { readdir, stat } = await import('node:fs/promises');
  const base = root.endsWith('/') ? root.slice(0, -1) : root;

  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(base, { withFileTypes: true });
  } catch (error) {
    throw new InvalidArgumentError(fn, 'root', 'a readable folder', `${root} (${(error as Error).message})`);
  }
  const isDirectory = async (entry: import('node:fs').Dirent, path: string) =>
    entry.isDirectory() ||
    (entry.isSymbolicLink() && (await stat(path).catch(() => undefined))?.isDirectory() === true);

  const ignored: string[] = [];
  const classFolders: string[] = [];
  for (const entry of entries.sort((a, b) => compareCodeUnits(a.name, b.name))) {
    const path = `${base}/${entry.name}`;
    if (await isDirectory(entry, path)) classFolders.push(entry.name);
    else ignored.push(path);
  }
  const vocab = vocabulary ?? (classFolders.length > 0 ? new ClassVocabulary(classFolders) : undefined);
  if (vocabulary !== undefined) {
    const unknown = classFolders.filter((name) => !vocabulary.has(name));
    if (unknown.length > 0) {
      throw new InvalidArgumentError(
        fn,
        'root',
        `class folders among the vocabulary's ${vocabulary.size} classes`,
        `folder ${JSON.stringify(unknown[0])}`,
      );
    }
  }

  const items: DatasetItem[] = [];
  const walk = async (folder: string, relative: string, label: number): Promise<void> => {
    const children = (await readdir(folder, { withFileTypes: true })).sort((a, b) =>
      compareCodeUnits(a.name, b.name),
    );
    for (const child of children) {
      const path = `${folder}/${child.name}`;
      const id = `${relative}/${child.name}`;
      if (await isDirectory(child, path)) {
        await walk(path, id, label);
        continue;
      }
      const dot = child.name.lastIndexOf('.');
      const extension = dot >= 0 ? child.name.slice(dot).toLowerCase() : '';
      if (wanted.has(extension)) items.push({ id, source: path, label });
      else ignored.push(path);
    }
  };
  for (const name of classFolders) await walk(`${base}/${name}`, name, vocab!.indexOf(name));
  const dataset = createDataset(items, vocab ? { vocabulary: vocab } : {});
  return Object.freeze({ ...dataset, ignored: Object.freeze(ignored) });
}
