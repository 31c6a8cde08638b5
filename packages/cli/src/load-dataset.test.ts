import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ClassVocabulary } from '@topk/core';
import { FASHION_MNIST_CLASSES } from '@topk/data-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from './load-dataset.js';
import { put, tempDir, writeClassFolders } from './test-support.js';
import { UsageError } from './usage-error.js';

const ASSETS = new URL('../assets/fashion-mnist/', import.meta.url).pathname;

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  await writeClassFolders(join(dir, 'folder'), 2);
  await put(join(dir, 'folder', 'readme.txt'), 'not an image');
  await put(join(dir, 'single.csv'), '\uFEFFimage,label,extra\nimg/a.png,dog,1\nimg/b.png,cat,2\n');
  await put(join(dir, 'multi.csv'), 'id,labels\na,red dress\nb,\n');
  await put(join(dir, 'unlabelled.csv'), 'id,width\na,1\n');
  await put(join(dir, 'empty.csv'), '');
  await put(join(dir, 'broken.csv'), 'id,label\na,cat\nb\n');
  await mkdir(join(dir, 'no-classes'));
  await put(join(dir, 'no-classes', 'x.png'), 'x');
});
afterAll(() => remove());

async function failure(path: string, options: { root?: string } = {}): Promise<string> {
  const error = await loadDataset(path, { cwd: dir, ...options }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UsageError);
  return (error as Error).message;
}

describe('loadDataset', () => {
  it('reads a folder of class folders, with ids relative to it and the files it ignored', async () => {
    const loaded = await loadDataset(join(dir, 'folder'), { cwd: dir });
    expect(loaded.format).toBe('folder');
    expect(loaded.dataset.items.map((i) => [i.id, i.label])).toEqual([
      ['cat/0.png', 0],
      ['cat/1.png', 0],
      ['dog/0.png', 1],
      ['dog/1.png', 1],
      ['fox/0.png', 2],
      ['fox/1.png', 2],
    ]);
    expect(loaded.dataset.items[0]!.source).toBe(join(dir, 'folder', 'cat', '0.png'));
    expect(loaded.ignored).toEqual([join(dir, 'folder', 'readme.txt')]);
  });

  it('reads a CSV whose first column is the id, single-label, with paths under --root', async () => {
    const loaded = await loadDataset(join(dir, 'single.csv'), { cwd: dir, root: '/data' });
    expect(loaded.format).toBe('csv');
    expect(loaded.dataset.multiLabel).toBe(false);
    expect(loaded.dataset.vocabulary?.names).toEqual(['cat', 'dog']);
    expect(loaded.dataset.items.map((i) => [i.id, i.source, i.label])).toEqual([
      ['img/a.png', '/data/img/a.png', 1],
      ['img/b.png', '/data/img/b.png', 0],
    ]);
  });

  it('reads a multi-label CSV (labels column, space-separated, empty allowed) and an unlabelled one', async () => {
    const multi = await loadDataset(join(dir, 'multi.csv'), { cwd: dir });
    expect(multi.dataset.multiLabel).toBe(true);
    expect(multi.dataset.items.map((i) => [i.id, i.source, i.labels])).toEqual([
      ['a', join(dir, 'a'), [0, 1]],
      ['b', join(dir, 'b'), []],
    ]);
    const bare = await loadDataset(join(dir, 'unlabelled.csv'), { cwd: dir });
    expect(bare.dataset.vocabulary).toBeUndefined();
  });

  it('reads an IDX images file with the labels file beside it, or a given vocabulary', async () => {
    const loaded = await loadDataset(join(ASSETS, 't10k-images-idx3-ubyte.gz'), { cwd: dir });
    expect(loaded.format).toBe('idx');
    expect(loaded.dataset.items).toHaveLength(1000);
    expect(loaded.dataset.vocabulary?.size).toBe(10);
    const names = [...FASHION_MNIST_CLASSES];
    const named = await loadDataset(join(ASSETS, 't10k-images-idx3-ubyte.gz'), {
      cwd: dir,
      vocabulary: new ClassVocabulary(names, { sort: false }),
    });
    expect(named.dataset.vocabulary?.names).toEqual(names);
    // Without the labels file beside it, the images are unlabelled.
    await copyFile(join(ASSETS, 't10k-images-idx3-ubyte.gz'), join(dir, 'alone-images-idx3-ubyte.gz'));
    const alone = await loadDataset(join(dir, 'alone-images-idx3-ubyte.gz'), { cwd: dir });
    expect(alone.dataset.vocabulary).toBeUndefined();
    expect(alone.dataset.items).toHaveLength(1000);
  });

  it('names the flag and the file when the dataset does not fit', async () => {
    expect(await failure(join(dir, 'nothing'))).toBe('--data must be an existing path, got "nothing"');
    expect(await failure(join(dir, 'folder'), { root: dir })).toBe(
      '--root applies to a CSV --data, and folder is a folder',
    );
    expect(await failure(join(dir, 'no-classes'))).toBe(
      '--data no-classes: no images in class folders (expected no-classes/<class>/<image>)',
    );
    expect(await failure(join(dir, 'empty.csv'))).toBe(
      '--data empty.csv: a CSV needs a header row whose first column is the id',
    );
    expect(await failure(join(dir, 'broken.csv'))).toBe(
      '--data broken.csv: Error in fromCsv: line 3 must be 2 fields as in the header, got "1 fields"',
    );
    await put(join(dir, 'bad-images-idx3-ubyte'), 'not idx');
    expect(await failure(join(dir, 'bad-images-idx3-ubyte'))).toMatch(
      /^--data bad-images-idx3-ubyte: Error in readIdx: .* must be an IDX file/,
    );
  });
});
