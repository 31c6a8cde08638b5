import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClassVocabulary, InvalidArgumentError } from '@topk/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromFolder } from './folder-source.js';
import { png, solid, tempDir } from './test-fixtures.js';

describe('fromFolder', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    root = join(temp.dir, 'data');
    const image = await png(solid(2, 2, [1, 2, 3]));
    const files = [
      'dog/b.png',
      'dog/a.JPG',
      'cat/x.png',
      'cat/nested/y.webp',
      'cat/notes.txt',
      'bird/.DS_Store',
      'readme.md',
    ];
    for (const file of files) {
      await mkdir(join(root, file, '..'), { recursive: true });
      await writeFile(join(root, file), file.endsWith('.png') ? image : 'x');
    }
    await mkdir(join(root, 'empty'));
  });
  afterAll(() => cleanup());

  it('lists root/<class>/<file>, sorted, with class/relative ids and a sorted vocabulary', async () => {
    const dataset = await fromFolder(root);
    expect(dataset.vocabulary!.names).toEqual(['bird', 'cat', 'dog', 'empty']);
    expect(dataset.items.map((item) => [item.id, item.label])).toEqual([
      ['cat/nested/y.webp', 1],
      ['cat/x.png', 1],
      ['dog/a.JPG', 2],
      ['dog/b.png', 2],
    ]);
    expect(dataset.items[1]!.source).toBe(`${root}/cat/x.png`);
  });

  it('reports every file it does not list', async () => {
    const dataset = await fromFolder(`${root}/`);
    expect(dataset.ignored).toEqual([`${root}/readme.md`, `${root}/bird/.DS_Store`, `${root}/cat/notes.txt`]);
    const onlyPng = await fromFolder(root, { extensions: ['.png'] });
    expect(onlyPng.items.map((item) => item.id)).toEqual(['cat/x.png', 'dog/b.png']);
    expect(onlyPng.ignored).toContain(`${root}/dog/a.JPG`);
  });

  it('follows a saved vocabulary and refuses folders outside it', async () => {
    const vocabulary = new ClassVocabulary(['dog', 'cat', 'bird', 'empty', 'fish'], { sort: false });
    const dataset = await fromFolder(root, { vocabulary });
    expect(dataset.items.map((item) => item.label)).toEqual([1, 1, 0, 0]);
    await expect(fromFolder(root, { vocabulary: new ClassVocabulary(['dog']) })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(fromFolder(join(root, 'nope'))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(fromFolder('')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(fromFolder(root, { extensions: ['png'] })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
