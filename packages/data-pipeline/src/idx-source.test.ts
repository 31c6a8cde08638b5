import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InvalidArgumentError } from '@topk/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromIdx, readIdx } from './idx-source.js';
import { tempDir } from './test-fixtures.js';

/** An IDX file: 00 00 type rank, big-endian dims, then the big-endian values. */
function idx(type: number, shape: number[], values: number[], bytesPer = 1): Uint8Array {
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + values.length * bytesPer);
  const view = new DataView(out.buffer);
  out.set([0, 0, type, shape.length]);
  shape.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d, false);
  });
  values.forEach((v, i) => {
    const o = header + i * bytesPer;
    if (type === 0x08) view.setUint8(o, v);
    else if (type === 0x09) view.setInt8(o, v);
    else if (type === 0x0b) view.setInt16(o, v, false);
    else if (type === 0x0c) view.setInt32(o, v, false);
    else if (type === 0x0d) view.setFloat32(o, v, false);
    else view.setFloat64(o, v, false);
  });
  return out;
}

// Three 2 × 3 "images" with pixel value 10 × image + position, labels 2, 0, 2.
const IMAGES = idx(
  0x08,
  [3, 2, 3],
  Array.from({ length: 18 }, (_, i) => 10 * Math.floor(i / 6) + (i % 6)),
);
const LABELS = idx(0x08, [3], [2, 0, 2]);

describe('readIdx', () => {
  it('reads every IDX element type, big-endian', async () => {
    expect(await readIdx(idx(0x08, [2, 2], [0, 1, 254, 255]))).toEqual({
      dataType: 'uint8',
      shape: [2, 2],
      data: new Uint8Array([0, 1, 254, 255]),
    });
    expect((await readIdx(idx(0x09, [2], [-128, 127]))).data).toEqual(new Int8Array([-128, 127]));
    expect((await readIdx(idx(0x0b, [2], [-2, 513], 2))).data).toEqual(new Int16Array([-2, 513]));
    expect((await readIdx(idx(0x0c, [2], [-70000, 1 << 30], 4))).data).toEqual(
      new Int32Array([-70000, 1 << 30]),
    );
    expect((await readIdx(idx(0x0d, [1], [1.5], 4))).data).toEqual(new Float32Array([1.5]));
    expect((await readIdx(idx(0x0e, [1], [-0.1], 8))).data).toEqual(new Float64Array([-0.1]));
  });

  it('inflates gzipped files', async () => {
    expect(await readIdx(new Uint8Array(gzipSync(LABELS)))).toEqual(await readIdx(LABELS));
  });

  it('rejects bad magic, short headers and sizes that do not match', async () => {
    await expect(readIdx(new Uint8Array([1, 0, 8, 1]))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(readIdx(new Uint8Array([0, 0, 7, 1]))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(readIdx(new Uint8Array([0, 0, 8, 2, 0, 0, 0, 1]))).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(readIdx(LABELS.subarray(0, LABELS.length - 1))).rejects.toThrow(/11 bytes/);
    await expect(readIdx(7 as unknown as string)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('fromIdx', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await writeFile(join(dir, 'images-idx3-ubyte.gz'), gzipSync(IMAGES));
    await writeFile(join(dir, 'labels-idx1-ubyte'), LABELS);
  });
  afterAll(() => cleanup());

  it('lists one grey image per record, labelled in the file order', async () => {
    const dataset = await fromIdx(join(dir, 'images-idx3-ubyte.gz'), join(dir, 'labels-idx1-ubyte'), {
      idPrefix: 'train-',
    });
    expect(dataset.vocabulary!.names).toEqual(['0', '1', '2']);
    expect(dataset.items.map((item) => [item.id, item.label])).toEqual([
      ['train-0', 2],
      ['train-1', 0],
      ['train-2', 2],
    ]);
    const second = dataset.items[1]!.source as {
      data: Uint8Array;
      width: number;
      height: number;
      channels: number;
    };
    expect([second.width, second.height, second.channels]).toEqual([3, 2, 1]);
    expect(Array.from(second.data)).toEqual([10, 11, 12, 13, 14, 15]);
  });

  it('names classes in the file order (Fashion-MNIST names keep label i at index i)', async () => {
    const names = ['T-shirt/top', 'Trouser', 'Pullover'];
    const dataset = await fromIdx(IMAGES, LABELS, { classNames: names });
    expect(dataset.vocabulary!.names).toEqual(names);
    expect(dataset.items.map((item) => dataset.vocabulary!.nameOf(item.label!))).toEqual([
      'Pullover',
      'T-shirt/top',
      'Pullover',
    ]);
  });

  it('reads colour records and unlabelled files', async () => {
    const rgb = idx(0x08, [1, 1, 2, 3], [1, 2, 3, 4, 5, 6]);
    const dataset = await fromIdx(rgb);
    expect(dataset.vocabulary).toBeUndefined();
    expect((dataset.items[0]!.source as { channels: number }).channels).toBe(3);
  });

  it('rejects mismatched files and too few class names', async () => {
    await expect(fromIdx(LABELS)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(fromIdx(IMAGES, idx(0x08, [2], [0, 1]))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(fromIdx(IMAGES, LABELS, { classNames: ['a', 'b'] })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(fromIdx(idx(0x0b, [1, 1, 1], [1], 2))).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
