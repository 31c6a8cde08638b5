import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { adamW } from './adam-w.js';
import { arrayBatches } from './array-batches.js';
import { steepestLr } from './find-lr.js';
import { Learner } from './learner.js';
import { sgd } from './sgd.js';
import { expectInvalid, expectInvalidAsync, learnableData, tinyCnn, weightsOf } from './test-helpers.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
});

describe('steepestLr', () => {
  it('finds where the loss falls fastest against log10(lr)', () => {
    // loss = −tanh(2(log10 lr + 3)): steepest descent exactly at lr = 1e-3.
    const lrs = Array.from({ length: 61 }, (_, i) => 10 ** (-6 + i / 10));
    const losses = lrs.map((lr) => -Math.tanh(2 * (Math.log10(lr) + 3)));
    expect(steepestLr(lrs, losses)).toBeCloseTo(1e-3, 12);
    expect(steepestLr([1, 2], [1, 0])).toBeUndefined();
    expectInvalid(() => steepestLr([1, 2], [1]), 'steepestLr', 'losses');
  });
});

describe('Learner.findLr', () => {
  function makeLearner() {
    const { images, labels } = learnableData(64, 16, 3, 13);
    return new Learner({
      model: tinyCnn(),
      train: arrayBatches(images, labels, [4, 4, 1], { batchSize: 16, shuffle: true, seed: 13 }),
      optimizer: adamW(),
    });
  }

  it('sweeps the rate exponentially with a bias-corrected smoothed loss, and restores everything afterwards', async () => {
    const learner = makeLearner();
    await learner.fit(1);
    const weights = weightsOf(learner.model);
    const optimizerState = learner.optimizer.getState();
    const rngState = learner.rng.getState();
    const tensors = tf.memory().numTensors;
    const result = await learner.findLr({ startLr: 1e-5, endLr: 1, numIterations: 12, beta: 0.5 });
    // 12 steps over 3 epochs of 4 batches, rates 1e-5 · 10^(5 i / 11).
    expect(result.lrs).toHaveLength(12);
    result.lrs.forEach((lr, i) => {
      expect(lr).toBeCloseTo(1e-5 * 10 ** ((5 * i) / 11), 12);
    });
    // Smoothed: avg_i = β avg + (1 − β) loss_i, divided by 1 − β^(i+1).
    let avg = 0;
    result.rawLosses.forEach((loss, i) => {
      avg = 0.5 * avg + 0.5 * loss;
      expect(result.losses[i]).toBeCloseTo(avg / (1 - 0.5 ** (i + 1)), 10);
    });
    expect(result.diverged).toBe(false);
    expect(result.suggestion).toBeGreaterThanOrEqual(1e-5);
    expect(result.minimumDiv10).toBeDefined();
    expect(weightsOf(learner.model)).toEqual(weights);
    expect(learner.optimizer.getState()).toEqual(optimizerState);
    expect(learner.rng.getState()).toEqual(rngState);
    // The optimizer's buffers come back as saved arrays (made into tensors at the next step): no growth.
    expect(tf.memory().numTensors).toBeLessThanOrEqual(tensors);
    learner.model.dispose();
  });

  it('stops when the smoothed loss diverges', async () => {
    const { images, labels } = learnableData(64, 16, 3, 14);
    const learner = new Learner({
      model: tinyCnn(),
      train: arrayBatches(images, labels, [4, 4, 1], { batchSize: 8 }),
      optimizer: sgd(),
    });
    const result = await learner.findLr({ startLr: 1e-3, endLr: 1e8, numIterations: 100, beta: 0.3 });
    expect(result.diverged).toBe(true);
    expect(result.lrs.length).toBeLessThan(100);
    const last = result.losses.at(-1)!;
    const best = Math.min(...result.losses.slice(0, -1));
    expect(!Number.isFinite(last) || last > 4 * best).toBe(true);
    learner.model.dispose();
  });

  it('rejects bad options', async () => {
    const learner = makeLearner();
    await expectInvalidAsync(() => learner.findLr({ endLr: 1e-8 }), 'Learner.findLr', 'endLr');
    await expectInvalidAsync(() => learner.findLr({ beta: 1 }), 'Learner.findLr', 'beta');
    await expectInvalidAsync(() => learner.findLr({ numIterations: 0 }), 'Learner.findLr', 'numIterations');
    learner.model.dispose();
  });
});
