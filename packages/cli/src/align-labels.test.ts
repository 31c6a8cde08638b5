import { join } from 'node:path';
import { createPredictionTable } from '@topk/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alignLabels } from './align-labels.js';
import { loadDataset } from './load-dataset.js';
import { put, tempDir } from './test-support.js';
import { UsageError } from './usage-error.js';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  await put(join(dir, 'single.csv'), 'id,label\na,dog\nb,cat\nc,cat\nextra,dog\n');
  await put(join(dir, 'multi.csv'), 'id,labels\na,red dress\nb,\n');
  await put(join(dir, 'bare.csv'), 'id\na\n');
});
afterAll(() => remove());

const flags = { preds: '--preds', labels: '--labels' };

describe('alignLabels', () => {
  it('maps single-label classes onto the table columns, row by row, and counts unpredicted ids', async () => {
    // Columns in another order than the labels' sorted vocabulary (cat, dog).
    const table = createPredictionTable(['c', 'a', 'b'], ['dog', 'cat'], [0.1, 0.9, 0.8, 0.2, 0.3, 0.7]);
    const loaded = await loadDataset(join(dir, 'single.csv'), { cwd: dir });
    const aligned = alignLabels(table, loaded, flags, dir);
    expect(aligned.multiLabel).toBe(false);
    expect(Array.from(aligned.labels!)).toEqual([1, 0, 1]); // c: cat, a: dog, b: cat
    expect(Array.from(aligned.targets)).toEqual([0, 1, 1, 0, 0, 1]);
    expect(aligned.sources).toEqual([join(dir, 'c'), join(dir, 'a'), join(dir, 'b')]);
    expect(aligned.unpredicted).toBe(1);
  });

  it('builds multi-hot targets for multi-label data', async () => {
    const table = createPredictionTable(['b', 'a'], ['dress', 'floral', 'red'], [0, 0, 0, 1, 0, 1]);
    const aligned = alignLabels(table, await loadDataset(join(dir, 'multi.csv'), { cwd: dir }), flags, dir);
    expect(aligned.labels).toBeUndefined();
    expect(Array.from(aligned.targets)).toEqual([0, 0, 0, 1, 0, 1]);
  });

  it('names the files when ids or classes do not match', async () => {
    const loaded = await loadDataset(join(dir, 'single.csv'), { cwd: dir });
    const fail = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
      }
      throw new Error('did not throw');
    };
    expect(
      fail(() =>
        alignLabels(
          createPredictionTable(['a', 'z', 'y', 'x', 'w'], ['cat', 'dog'], new Float32Array(10)),
          loaded,
          flags,
          dir,
        ),
      ),
    ).toBe('--labels single.csv: no label for 4 of the 5 ids of --preds ("z", "y", "x", ...)');
    expect(
      fail(() => alignLabels(createPredictionTable(['a'], ['cat', 'cow'], [0.5, 0.5]), loaded, flags, dir)),
    ).toBe('--labels single.csv: class "dog" of id "a" is not a column of --preds (1 such classes)');
    const bare = await loadDataset(join(dir, 'bare.csv'), { cwd: dir });
    expect(fail(() => alignLabels(createPredictionTable(['a'], ['cat'], [1]), bare, flags, dir))).toBe(
      '--labels bare.csv: holds no labels',
    );
  });
});
