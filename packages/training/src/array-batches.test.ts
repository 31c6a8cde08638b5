import * as tf from '@tensorflow/tfjs-core';
import { Rng, selectBackend } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { arrayBatches } from './array-batches.js';
import { expectInvalid } from './test-helpers.js';
import type { Batch } from './types.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
});

const rng = new Rng(0);

/** Reads one epoch: the first value of each image and the labels, disposing the tensors. */
function readEpoch(batches: Iterable<Batch>) {
  const firsts: number[] = [];
  const labels: number[] = [];
  const sizes: number[] = [];
  for (const batch of batches) {
    const [n, ...rest] = batch.images.shape;
    const size = rest.reduce((a, b) => a * b, 1);
    const pixels = batch.images.dataSync();
    for (let i = 0; i < n!; i++) firsts.push(pixels[i * size]!);
    labels.push(...Array.from(batch.labels?.dataSync() ?? []));
    sizes.push(n!);
    tf.dispose([batch.images, batch.labels as tf.Tensor]);
  }
  return { firsts, labels, sizes };
}

describe('arrayBatches', () => {
  // Ten 2×1×1 samples whose first value is the sample index.
  const images = Float32Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? i / 2 : -1));
  const labels = Int32Array.from({ length: 10 }, (_, i) => i % 3);

  it('yields every sample once per epoch, in order without shuffle, with a short last batch', () => {
    const data = arrayBatches(images, labels, [2, 1, 1], { batchSize: 4 });
    expect(data.batchesPerEpoch).toBe(3);
    expect(data.size).toBe(10);
    const { firsts, labels: got, sizes } = readEpoch(data(0, rng) as Iterable<Batch>);
    expect(firsts).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(got).toEqual(Array.from(labels));
    expect(sizes).toEqual([4, 4, 2]);
  });

  it('shuffles per epoch from (seed, epoch) only: same order on a re-created source, a new order each epoch', () => {
    const make = () => arrayBatches(images, labels, [2, 1, 1], { batchSize: 3, shuffle: true, seed: 7 });
    const a0 = readEpoch(make()(0, rng) as Iterable<Batch>);
    const a1 = readEpoch(make()(1, rng) as Iterable<Batch>);
    const b1 = readEpoch(make()(1, new Rng(99)) as Iterable<Batch>);
    expect(a1.firsts).toEqual(b1.firsts);
    expect(a0.firsts).not.toEqual(a1.firsts);
    expect([...a0.firsts].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Labels travel with their images.
    a0.firsts.forEach((sample, k) => {
      expect(a0.labels[k]).toBe(sample % 3);
    });
    // A different seed gives a different order.
    const other = readEpoch(
      arrayBatches(images, labels, [2, 1, 1], { batchSize: 3, shuffle: true, seed: 8 })(
        0,
        rng,
      ) as Iterable<Batch>,
    );
    expect(other.firsts).not.toEqual(a0.firsts);
  });

  it('seeds from an Rng by drawing one number from it', () => {
    const x = arrayBatches(images, labels, [2, 1, 1], { shuffle: true, rng: new Rng(3) });
    const y = arrayBatches(images, labels, [2, 1, 1], { shuffle: true, rng: new Rng(3) });
    expect(readEpoch(x(2, rng) as Iterable<Batch>).firsts).toEqual(
      readEpoch(y(2, rng) as Iterable<Batch>).firsts,
    );
  });

  it('scales Uint8 pixels by 1/255, carries float targets and ids, drops the last batch on request', () => {
    const pixels = Uint8Array.from([0, 255, 51, 102]);
    const targets = Float32Array.from([1, 0, 0, 1, 1, 1, 0, 0]);
    const data = arrayBatches(pixels, targets, [1], {
      batchSize: 3,
      dropLast: true,
      ids: ['a', 'b', 'c', 'd'],
    });
    expect(data.batchesPerEpoch).toBe(1);
    const [batch, ...rest] = [...(data(0, rng) as Iterable<Batch>)];
    expect(rest).toHaveLength(0);
    expect(Array.from(batch!.images.dataSync())).toEqual([0, 1, 0.2].map(Math.fround));
    expect(batch!.labels!.shape).toEqual([3, 2]);
    expect(batch!.labels!.dtype).toBe('float32');
    expect(batch!.ids).toEqual(['a', 'b', 'c']);
    tf.dispose([batch!.images, batch!.labels!]);
  });

  it('creates tensors only as batches are pulled', () => {
    const before = tf.memory().numTensors;
    const iterator = (arrayBatches(images, labels, [2, 1, 1], { batchSize: 2 })(0, rng) as Iterable<Batch>)[
      Symbol.iterator
    ]();
    expect(tf.memory().numTensors).toBe(before);
    const first = iterator.next().value as Batch;
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([first.images, first.labels!]);
  });

  it('rejects bad arguments', () => {
    const fn = 'arrayBatches';
    expectInvalid(() => arrayBatches([1] as never, undefined, [1]), fn, 'images');
    expectInvalid(() => arrayBatches(images, labels, [3]), fn, 'images');
    expectInvalid(() => arrayBatches(images, labels, []), fn, 'shape');
    expectInvalid(() => arrayBatches(images, labels.subarray(1), [2, 1, 1]), fn, 'labels');
    expectInvalid(() => arrayBatches(images, [0, 1, 2, 3, 4, 5, 6, 7, 8, -1], [2, 1, 1]), fn, 'labels[9]');
    expectInvalid(() => arrayBatches(images, labels, [2, 1, 1], { shuffle: true }), fn, 'options.seed');
    expectInvalid(() => arrayBatches(images, labels, [2, 1, 1], { batchSize: 0 }), fn, 'batchSize');
    expectInvalid(() => arrayBatches(images, labels, [2, 1, 1], { ids: ['a'] }), fn, 'ids');
    expectInvalid(() => arrayBatches(images, labels, [2, 1, 1])(-1, rng), fn, 'epoch');
  });
});
