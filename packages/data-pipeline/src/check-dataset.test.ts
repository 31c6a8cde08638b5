import { join } from 'node:path';
import { ClassVocabulary, InvalidArgumentError } from '@topk/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDataset } from './check-dataset.js';
import { createDataset } from './dataset.js';
import { createDecodePool } from './decode-pool.js';
import { QUARANTINE_CODES } from './image-decode-error.js';
import { type Corpus, png, solid, tempDir, writeCorpus } from './test-fixtures.js';
import type { Dataset } from './types.js';

describe('checkDataset', () => {
  let corpus: Corpus;
  let cleanup: () => Promise<void>;
  let dataset: Dataset;
  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    corpus = await writeCorpus(join(temp.dir, 'corpus'));
    dataset = createDataset(
      [
        { id: 'good', source: corpus.good, label: 0 },
        { id: 'truncated', source: corpus.truncatedJpeg, label: 0 },
        { id: 'empty', source: corpus.empty, label: 1 },
        { id: 'text', source: corpus.text, label: 1 },
        { id: 'cmyk', source: corpus.cmykJpeg, label: 0 },
        { id: '16bit', source: corpus.png16, label: 1 },
        { id: 'huge', source: corpus.huge, label: 0 },
        { id: 'missing', source: corpus.missing, label: 1 },
        { id: 'folder', source: corpus.folder, label: 1 },
        { id: 'memory', source: await png(solid(3, 3, [1, 2, 3])), label: 0 },
        { id: 'memory-bad', source: new Uint8Array([1, 2, 3]), label: 0 },
      ],
      { vocabulary: new ClassVocabulary(['a', 'b']) },
    );
  });
  afterAll(() => cleanup());

  it('quarantines the bad-file corpus with the right codes and uses the rest (in this thread)', async () => {
    const progress: number[] = [];
    const report = await checkDataset(dataset, { workers: 0, onProgress: (done) => progress.push(done) });
    expect(report.listed).toBe(11);
    expect(report.used).toEqual(['good', 'cmyk', '16bit', 'memory']);
    expect(report.quarantined.map((q) => [q.id, q.code])).toEqual([
      ['truncated', 'truncated'],
      ['empty', 'empty'],
      ['text', 'not-an-image'],
      ['huge', 'too-large'],
      ['missing', 'missing'],
      ['folder', 'unreadable'],
      ['memory-bad', 'not-an-image'],
    ]);
    expect(report.used.length + report.quarantined.length).toBe(report.listed);
    expect(report.quarantined[0]!.path).toBe(corpus.truncatedJpeg);
    expect(report.quarantined[6]!.path).toBeUndefined();
    expect(report.quarantined[3]!.reason).toContain('Input image exceeds pixel limit');
    expect(report.counts).toEqual({
      ...Object.fromEntries(QUARANTINE_CODES.map((c) => [c, 0])),
      truncated: 1,
      empty: 1,
      'not-an-image': 2,
      'too-large': 1,
      missing: 1,
      unreadable: 1,
    });
    expect(report.dataset.items.map((item) => item.id)).toEqual(report.used);
    expect(report.dataset.vocabulary).toBe(dataset.vocabulary);
    expect(progress.at(-1)).toBe(11);
  });

  it('gives the same report through worker threads, and checks margins and boxes', async () => {
    const pool = await createDecodePool({ workers: 2 });
    try {
      const viaPool = await checkDataset(dataset, { pool });
      expect(viaPool.quarantined.map((q) => q.code)).toEqual([
        'truncated',
        'empty',
        'not-an-image',
        'too-large',
        'missing',
        'unreadable',
        'not-an-image',
      ]);
      const boxed = createDataset([
        { id: 'ok', source: corpus.good, box: { left: 1, top: 1, width: 4, height: 4 } },
        { id: 'off', source: corpus.good, box: { left: 9, top: 0, width: 4, height: 4 } },
      ]);
      // The good image is 8 × 8: a box from x = 9 lies outside it.
      const report = await checkDataset(boxed, { pool, resize: { size: 4, margins: { top: 2 } } });
      expect(report.quarantined.map((q) => [q.id, q.code])).toEqual([['off', 'invalid-box']]);
      expect(report.used).toEqual(['ok']);
      const tooSmall = await checkDataset(boxed, { pool, resize: { size: 4, margins: { top: 8 } } });
      expect(tooSmall.quarantined.map((q) => q.code)).toEqual(['too-small', 'too-small']);
      const noBoxes = await checkDataset(boxed, { pool, resize: { size: 4, useBox: false } });
      expect(noBoxes.quarantined).toEqual([]);
    } finally {
      await pool.close();
    }
  });

  it('applies a tighter pixel limit', async () => {
    const report = await checkDataset(dataset, { workers: 0, limitInputPixels: 10 });
    expect(report.used).toEqual(['16bit', 'memory']);
  });

  it('rejects bad options', async () => {
    await expect(checkDataset(dataset, { workers: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(checkDataset(dataset, { concurrency: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(checkDataset(dataset, { resize: { size: -1 } })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(checkDataset({} as Dataset)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
