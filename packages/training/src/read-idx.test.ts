import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readIdx } from './read-idx.js';
import { expectInvalidAsync } from './test-helpers.js';

/** Builds an IDX file by hand: magic 0 0 type rank, big-endian dims, big-endian values. */
function idx(type: number, shape: number[], body: number[]): Uint8Array {
  return Uint8Array.from([
    0,
    0,
    type,
    shape.length,
    ...shape.flatMap((d) => [d >>> 24, (d >>> 16) & 255, (d >>> 8) & 255, d & 255]),
    ...body,
  ]);
}

describe('readIdx', () => {
  it('reads uint8 images and labels as MNIST stores them', async () => {
    const { shape, data } = await readIdx(idx(0x08, [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 255]));
    expect(shape).toEqual([2, 2, 2]);
    expect(data).toBeInstanceOf(Uint8Array);
    expect(Array.from(data)).toEqual([1, 2, 3, 4, 5, 6, 7, 255]);
  });

  it('reads big-endian int32 and float32, and inflates gzip', async () => {
    const ints = await readIdx(idx(0x0c, [2], [0, 0, 1, 0, 0xff, 0xff, 0xff, 0xfe]));
    expect(Array.from(ints.data)).toEqual([256, -2]);
    // 1.5 as big-endian float32 is 3f c0 00 00.
    const floats = await readIdx(gzipSync(idx(0x0d, [1], [0x3f, 0xc0, 0, 0])));
    expect(Array.from(floats.data)).toEqual([1.5]);
  });

  it('reads the committed Fashion-MNIST subset', async () => {
    const { readFile } = await import('node:fs/promises');
    const path = new URL('../../cli/assets/fashion-mnist/t10k-labels-idx1-ubyte.gz', import.meta.url);
    const { shape, data } = await readIdx(await readFile(path));
    expect(shape).toEqual([1000]);
    // 100 per class (the subset's README).
    const counts = new Array(10).fill(0);
    for (const label of data) counts[label]++;
    expect(counts).toEqual(new Array(10).fill(100));
  });

  it('rejects data that is not IDX', async () => {
    await expectInvalidAsync(() => readIdx([0, 0] as never), 'readIdx', 'bytes');
    await expectInvalidAsync(() => readIdx(Uint8Array.from([1, 0, 8, 1])), 'readIdx', 'bytes');
    await expectInvalidAsync(() => readIdx(idx(0x07, [1], [0])), 'readIdx', 'bytes[2]');
    await expectInvalidAsync(() => readIdx(idx(0x08, [3], [1, 2])), 'readIdx', 'bytes');
  });
});
