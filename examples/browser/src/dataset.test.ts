import { describe, expect, it } from 'vitest';
import { decodeDataset, encodeDataset, IMAGE_BYTES, type LabelledImages, takePerClass } from './dataset.js';

/** `labels.length` images whose pixels all equal their index, so each can be told apart. */
function images(labels: readonly number[]): LabelledImages {
  const pixels = new Uint8Array(labels.length * IMAGE_BYTES);
  for (let i = 0; i < labels.length; i++) pixels.fill(i, i * IMAGE_BYTES, (i + 1) * IMAGE_BYTES);
  return { images: pixels, labels: Uint8Array.from(labels) };
}

describe('the fashion-mnist-small.bin format', () => {
  it('round-trips both splits and has the documented layout', () => {
    const train = images([5, 6, 5]);
    const test = images([9]);
    const bytes = encodeDataset({ train, test });
    // 12-byte header, then 1 + 784 bytes per image.
    expect(bytes.length).toBe(12 + 4 * (1 + IMAGE_BYTES));
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe('FMS1');
    expect([...bytes.subarray(4, 12)]).toEqual([3, 0, 0, 0, 1, 0, 0, 0]);
    expect([...bytes.subarray(12, 15)]).toEqual([5, 6, 5]);
    const back = decodeDataset(bytes);
    expect(back.train.labels).toEqual(train.labels);
    expect(back.train.images).toEqual(train.images);
    expect(back.test.labels).toEqual(test.labels);
    expect(back.test.images).toEqual(test.images);
  });

  it('rejects bytes of another format or length, and images that do not match the labels', () => {
    const bytes = encodeDataset({ train: images([1]), test: images([2]) });
    expect(() => decodeDataset(bytes.subarray(0, bytes.length - 1))).toThrow(
      `Error in decodeDataset: bytes must be ${bytes.length} long, got ${bytes.length - 1}`,
    );
    const other = bytes.slice();
    other[0] = 'X'.charCodeAt(0);
    expect(() => decodeDataset(other)).toThrow(
      "Error in decodeDataset: bytes must start with FMS1, got 'XMS1'",
    );
    expect(() =>
      encodeDataset({ train: { images: new Uint8Array(10), labels: new Uint8Array(1) }, test: images([]) }),
    ).toThrow('Error in encodeDataset: train.images must hold 784 bytes, got 10');
  });

  it('takes the first samples of each class in source order, keeping labels and pixels together', () => {
    const source = images([0, 5, 1, 5, 6, 5, 6, 0]);
    const picked = takePerClass(source, [5, 6], 2);
    expect([...picked.labels]).toEqual([5, 5, 6, 6]);
    // Pixels equal the source index: samples 1, 3, 4 and 6.
    expect([0, 1, 2, 3].map((k) => picked.images[k * IMAGE_BYTES])).toEqual([1, 3, 4, 6]);
    expect(() => takePerClass(source, [0, 6], 3)).toThrow(
      'Error in takePerClass: class 0 must have 3 samples, got 2',
    );
  });
});
