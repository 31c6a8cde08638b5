import { selectBackend } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { arrayBatches } from './array-batches.js';
import { Learner } from './learner.js';
import { sgd } from './sgd.js';
import { TrainingDivergedError, terminateOnNaN } from './terminate-on-nan.js';
import { lcg, tinyMlp } from './test-helpers.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
});

describe('terminateOnNaN', () => {
  it('stops a run whose learning rate makes the loss blow up, naming the step and the rate', async () => {
    const images = lcg(32 * 4, 3, 10);
    const labels = Int32Array.from({ length: 32 }, (_, i) => i % 3);
    const learner = new Learner({
      model: tinyMlp(),
      train: arrayBatches(images, labels, [4], { batchSize: 4 }),
      optimizer: sgd({ learningRate: 1e12 }),
      callbacks: [terminateOnNaN()],
    });
    const steps: number[] = [];
    const error = await learner
      .fit(3, { callbacks: [{ name: 'after', onBatchEnd: ({ step }) => void steps.push(step) }] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(TrainingDivergedError);
    const diverged = error as TrainingDivergedError;
    expect(diverged.code).toBe('TRAINING_DIVERGED');
    expect(diverged.lr).toBe(1e12);
    expect(Number.isFinite(diverged.loss)).toBe(false);
    expect(diverged.message).toMatch(
      new RegExp(
        `^Training diverged: the loss is (NaN|Infinity) at step ${diverged.step} \\(epoch 0, batch \\d+\\) with learning rate 1000000000000\\. Lower the learning rate \\(try 100000000000 or less\\)`,
      ),
    );
    // It runs first: callbacks after it never saw the bad batch.
    expect(steps).toHaveLength(diverged.step - 1);
    expect(learner.fitting).toBe(false);
    learner.model.dispose();
  });
});
