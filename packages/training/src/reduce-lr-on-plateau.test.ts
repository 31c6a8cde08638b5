import { selectBackend } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { arrayBatches } from './array-batches.js';
import type { Callback } from './callback.js';
import { constant } from './constant.js';
import { Learner } from './learner.js';
import { reduceLROnPlateau } from './reduce-lr-on-plateau.js';
import { expectInvalid, learnableData, tinyMlp } from './test-helpers.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
});

const script = (values: number[]): Callback => ({
  name: 'script',
  order: 0,
  onEpochEnd: ({ epoch, logs }) => {
    logs.valid_loss = values[epoch]!;
  },
});

describe('reduceLROnPlateau', () => {
  it('multiplies the schedule by factor after more than `patience` bad epochs (PyTorch’s rule)', async () => {
    const { images, labels } = learnableData(8, 4, 3, 5);
    const learner = new Learner({
      model: tinyMlp(),
      train: arrayBatches(images, labels, [4], { batchSize: 8 }),
    });
    const lrs: number[] = [];
    const plateau = reduceLROnPlateau({ patience: 1, factor: 0.5 });
    // 0.9 improves on 1; 0.95, 0.95 are bad → after the second bad epoch (count 2 > 1) the factor halves;
    // 0.85 improves; 0.9, 0.9 → halves again.
    await learner.fit(7, {
      schedule: constant(0.1),
      callbacks: [
        script([1, 0.9, 0.95, 0.95, 0.85, 0.9, 0.9]),
        plateau,
        { name: 'lr', order: 50, onEpochEnd: ({ logs }) => void lrs.push(logs.lrScale!) },
      ],
    });
    expect(lrs).toEqual([1, 1, 1, 0.5, 0.5, 0.5, 0.25]);
    expect(learner.lrScale).toBe(0.25);
    expect(learner.lastLr).toBeCloseTo(0.1 * 0.5, 12);
    expect(plateau.getState().json).toEqual({ scale: 0.25, best: 0.85, bad: 0, cooldownLeft: 0 });
    learner.model.dispose();
  });

  it('takes any plateau detector with observe(metric), such as @topk/schedulers’ ReduceLROnPlateau with lr 1', async () => {
    const { images, labels } = learnableData(8, 4, 3, 6);
    const learner = new Learner({
      model: tinyMlp(),
      train: arrayBatches(images, labels, [4], { batchSize: 8 }),
    });
    const seen: number[] = [];
    const plateau = {
      observe: (metric: number) => {
        seen.push(metric);
        return 0.1;
      },
    };
    await learner.fit(2, { callbacks: [script([3, 2]), reduceLROnPlateau({ plateau })] });
    expect(seen).toEqual([3, 2]);
    expect(learner.lrScale).toBe(0.1);
    learner.model.dispose();
  });

  it('rejects bad options', () => {
    expectInvalid(() => reduceLROnPlateau({ factor: 1 }), 'reduceLROnPlateau', 'factor');
    expectInvalid(() => reduceLROnPlateau({ factor: 0 }), 'reduceLROnPlateau', 'factor');
    expectInvalid(() => reduceLROnPlateau({ patience: 1.5 }), 'reduceLROnPlateau', 'patience');
    expectInvalid(() => reduceLROnPlateau({ plateau: {} as never }), 'reduceLROnPlateau', 'plateau');
  });
});
