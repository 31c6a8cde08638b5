import { selectBackend } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { arrayBatches } from './array-batches.js';
import type { Callback } from './callback.js';
import { earlyStopping } from './early-stopping.js';
import { Learner } from './learner.js';
import { sgd } from './sgd.js';
import { expectInvalid, expectInvalidAsync, learnableData, tinyMlp, weightsOf } from './test-helpers.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
});

/** A callback that writes a scripted metric into the epoch logs before early stopping reads it. */
const script = (name: string, values: number[]): Callback => ({
  name: 'script',
  order: 0,
  onEpochEnd: ({ epoch, logs }) => {
    logs[name] = values[epoch]!;
  },
});

function makeLearner() {
  const { images, labels } = learnableData(16, 4, 3, 4);
  return new Learner({
    model: tinyMlp(),
    train: arrayBatches(images, labels, [4], { batchSize: 8 }),
    optimizer: sgd({ learningRate: 0.1 }),
  });
}

describe('earlyStopping', () => {
  it('stops after `patience` epochs without an improvement larger than minDelta, and restores the best weights', async () => {
    const learner = makeLearner();
    const snapshots: Float32Array[][] = [];
    const spy: Callback = {
      name: 'spy',
      order: 5,
      onEpochEnd: () => void snapshots.push(weightsOf(learner.model)),
    };
    // Best 0.5 at epoch 1; 0.495 is not better by minDelta 0.01; epochs 2, 3 and 4 are bad → stop after epoch 4.
    const stopper = earlyStopping({ monitor: 'metric', mode: 'min', patience: 3, minDelta: 0.01 });
    const result = await learner.fit(10, {
      callbacks: [script('metric', [1, 0.5, 0.495, 0.6, 0.7, 0.1]), spy, stopper],
    });
    expect(result.epochs).toBe(5);
    expect(result.stopReason).toMatch(/metric did not improve for 3 epochs \(best 0.5 at epoch 1\)/);
    expect(stopper.best).toBe(0.5);
    expect(stopper.bestEpoch).toBe(1);
    expect(weightsOf(learner.model)).toEqual(snapshots[1]);
    learner.model.dispose();
  });

  it('maximises accuracies by default and can leave the last weights', async () => {
    const learner = makeLearner();
    const stopper = earlyStopping({ monitor: 'valid_accuracy', patience: 1, restoreBest: false });
    expect(stopper.mode).toBe('max');
    const result = await learner.fit(5, {
      callbacks: [script('valid_accuracy', [0.5, 0.6, 0.6, 0.9])].concat([stopper]),
    });
    expect(result.epochs).toBe(3);
    expect(earlyStopping().mode).toBe('min');
    learner.model.dispose();
  });

  it('round-trips its state, best weights included', () => {
    const stopper = earlyStopping();
    stopper.setState({
      json: { best: 0.3, bestEpoch: 2, wait: 1 },
      arrays: { 'best/0': Float32Array.of(1, 2) },
    });
    const state = stopper.getState();
    expect(state.json).toEqual({ best: 0.3, bestEpoch: 2, wait: 1 });
    expect(state.arrays).toEqual({ 'best/0': Float32Array.of(1, 2) });
  });

  it('rejects bad options and a metric that is not logged', async () => {
    expectInvalid(() => earlyStopping({ patience: -1 }), 'earlyStopping', 'patience');
    expectInvalid(() => earlyStopping({ minDelta: -1 }), 'earlyStopping', 'minDelta');
    expectInvalid(() => earlyStopping({ monitor: '' }), 'earlyStopping', 'monitor');
    const learner = makeLearner();
    await expectInvalidAsync(
      () => learner.fit(1, { callbacks: [earlyStopping()] }),
      'earlyStopping',
      'monitor',
    );
    learner.model.dispose();
  });
});
