import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClassVocabulary, InvalidArgumentError } from '@topk/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromCsv } from './csv-source.js';
import { tempDir } from './test-fixtures.js';

function argumentOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(InvalidArgumentError);
      return (error as InvalidArgumentError).argument;
    },
  );
}

describe('fromCsv', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(() => cleanup());

  it('reads a single-label id,label file, paths relative to the CSV folder', async () => {
    const csv = join(dir, 'train.csv');
    await writeFile(csv, 'id,label\nimg1.jpg,dog\nimg2.jpg,cat\nimg3.jpg,dog\n');
    const dataset = await fromCsv(csv);
    expect(dataset.vocabulary!.names).toEqual(['cat', 'dog']);
    expect(dataset.multiLabel).toBe(false);
    expect(dataset.items).toEqual([
      { id: 'img1.jpg', source: `${dir}/img1.jpg`, label: 1 },
      { id: 'img2.jpg', source: `${dir}/img2.jpg`, label: 0 },
      { id: 'img3.jpg', source: `${dir}/img3.jpg`, label: 1 },
    ]);
  });

  it('reads Kaggle multi-label rows with space-separated labels, an extension and a root', async () => {
    const text = 'image_id,labels\n000001,62 17 66\n000002,17\n000003,\n000004,66  62 62\n';
    const dataset = await fromCsv(
      { text },
      { idColumn: 'image_id', multiLabel: true, root: '/data/train', extension: '.jpg' },
    );
    // Labels sort by code units: "17" < "62" < "66".
    expect(dataset.vocabulary!.names).toEqual(['17', '62', '66']);
    expect(dataset.multiLabel).toBe(true);
    expect(dataset.items.map((item) => [item.id, item.source, item.labels])).toEqual([
      ['000001', '/data/train/000001.jpg', [0, 1, 2]],
      ['000002', '/data/train/000002.jpg', [0]],
      ['000003', '/data/train/000003.jpg', []],
      ['000004', '/data/train/000004.jpg', [1, 2]],
    ]);
  });

  it('takes a path column, a group column, box columns and a saved vocabulary', async () => {
    const text = [
      'id,file,product,x,y,w,h,label',
      'a,imgs/a.png,p1,1,2,30,40,shirt',
      'b,/abs/b.png,p1,0,0,5.5,6,shoe',
      'c,https://cdn.example/c.png,p2,0,0,1,1,shirt',
    ].join('\n');
    const vocabulary = new ClassVocabulary(['shoe', 'shirt', 'bag'], { sort: false });
    const dataset = await fromCsv(
      { text },
      {
        pathColumn: 'file',
        groupColumn: 'product',
        boxColumns: ['x', 'y', 'w', 'h'],
        vocabulary,
        root: 'root',
      },
    );
    expect(dataset.vocabulary).toBe(vocabulary);
    expect(dataset.items).toEqual([
      {
        id: 'a',
        source: 'root/imgs/a.png',
        label: 1,
        group: 'p1',
        box: { left: 1, top: 2, width: 30, height: 40 },
      },
      {
        id: 'b',
        source: '/abs/b.png',
        label: 0,
        group: 'p1',
        box: { left: 0, top: 0, width: 5.5, height: 6 },
      },
      {
        id: 'c',
        source: 'https://cdn.example/c.png',
        label: 1,
        group: 'p2',
        box: { left: 0, top: 0, width: 1, height: 1 },
      },
    ]);
  });

  it('gives an unlabelled dataset when the default label column is absent', async () => {
    const dataset = await fromCsv({ text: 'id\nt1.jpg\nt2.jpg\n' });
    expect(dataset.vocabulary).toBeUndefined();
    expect(dataset.items.map((item) => [item.id, item.label])).toEqual([
      ['t1.jpg', undefined],
      ['t2.jpg', undefined],
    ]);
  });

  it('reports bad rows with their line numbers', async () => {
    expect(await argumentOf(fromCsv({ text: 'id,label\na,x\nb\n' }))).toBe('line 3');
    expect(await argumentOf(fromCsv({ text: 'id,label\na,x\na,y\n' }))).toBe('line 3');
    expect(await argumentOf(fromCsv({ text: 'id,label\na,\n' }))).toBe('line 2');
    expect(await argumentOf(fromCsv({ text: 'id,label\n,x\n' }))).toBe('line 2');
    expect(
      await argumentOf(fromCsv({ text: 'id,label\na,x\n' }, { vocabulary: new ClassVocabulary(['y']) })),
    ).toBe('line 2');
    expect(
      await argumentOf(fromCsv({ text: 'id,x,y,w,h\na,1,1,0,3\n' }, { boxColumns: ['x', 'y', 'w', 'h'] })),
    ).toBe('line 2');
    expect(await argumentOf(fromCsv({ text: 'name,label\na,x\n' }))).toBe('options.idColumn');
    expect(await argumentOf(fromCsv({ text: 'id,label\na,x\n' }, { labelColumn: 'class' }))).toBe(
      'options.labelColumn',
    );
    expect(await argumentOf(fromCsv({ text: '' }))).toBe('csv');
    expect(await argumentOf(fromCsv(42 as unknown as string))).toBe('csv');
    expect(await argumentOf(fromCsv({ text: 'id,labels\na,\n' }, { multiLabel: true }))).toBe('csv');
  });
});
