import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { selectBackend } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergePseudoLabels, pseudoLabel } from './pseudo-label.js';
import { expectInvalid, expectInvalidAsync } from './test-helpers.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
});

/** A dense layer with identity weights: the logits are the inputs. */
function identity() {
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 3, useBias: false })] });
  model.setWeights([tf.eye(3)]);
  return model;
}

describe('pseudoLabel', () => {
  it('keeps predictions whose softmax probability reaches the threshold, in data order', async () => {
    const model = identity();
    const rows = [
      [5, 0, 0], // p = e^5 / (e^5 + 2) ≈ 0.9867
      [0, 1, 0], // p ≈ 0.576
      [0, 0, 3], // p = e^3 / (e^3 + 2) ≈ 0.9094
      [0, 2.2, 0], // p = e^2.2 / (e^2.2 + 2) ≈ 0.8002
    ];
    const batches = [
      { images: tf.tensor2d(rows.slice(0, 2)), ids: ['a', 'b'] },
      { images: tf.tensor2d(rows.slice(2)), ids: ['c', 'd'] },
    ];
    const before = tf.memory().numTensors;
    const kept = await pseudoLabel(model, batches, { threshold: 0.9 });
    expect(tf.memory().numTensors).toBe(before - 2);
    const p = (z: number) => Math.exp(z) / (Math.exp(z) + 2);
    expect(kept.map(({ index, label, id }) => [index, label, id])).toEqual([
      [0, 0, 'a'],
      [2, 2, 'c'],
    ]);
    expect(kept[0]!.prob).toBeCloseTo(p(5), 6);
    expect(kept[1]!.prob).toBeCloseTo(p(3), 6);
    model.dispose();
  });

  it('reads probabilities as they are with activation none', async () => {
    const model = identity();
    const kept = await pseudoLabel(
      model,
      [
        {
          images: tf.tensor2d([
            [0.1, 0.95, 0],
            [0.5, 0.5, 0],
          ]),
        },
      ],
      { activation: 'none' },
    );
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ index: 0, label: 1 });
    expect(kept[0]!.prob).toBeCloseTo(0.95, 6);
    expect(kept[0]!.id).toBeUndefined();
    await expectInvalidAsync(() => pseudoLabel(model, [], { threshold: 2 }), 'pseudoLabel', 'threshold');
    await expectInvalidAsync(() => pseudoLabel({} as never, []), 'pseudoLabel', 'model');
    model.dispose();
  });
});

describe('mergePseudoLabels', () => {
  it('appends the confident unlabelled samples with their predicted labels', () => {
    const train = { images: Uint8Array.from([1, 1, 2, 2]), labels: Int32Array.from([0, 1]) };
    const unlabelled = Uint8Array.from([7, 7, 8, 8, 9, 9]);
    const merged = mergePseudoLabels(
      train,
      unlabelled,
      [
        { index: 2, label: 4, prob: 0.95 },
        { index: 0, label: 3, prob: 0.91 },
      ],
      2,
    );
    expect(merged.images).toBeInstanceOf(Uint8Array);
    expect(Array.from(merged.images)).toEqual([1, 1, 2, 2, 9, 9, 7, 7]);
    expect(Array.from(merged.labels)).toEqual([0, 1, 4, 3]);
    expectInvalid(
      () => mergePseudoLabels(train, unlabelled, [{ index: 3, label: 0, prob: 1 }], 2),
      'mergePseudoLabels',
      'pseudo[0].index',
    );
    expectInvalid(
      () => mergePseudoLabels(train, new Float32Array(2) as never, [], 2),
      'mergePseudoLabels',
      'unlabelledImages',
    );
    expectInvalid(() => mergePseudoLabels(train, unlabelled, [], 3), 'mergePseudoLabels', 'train');
  });
});
