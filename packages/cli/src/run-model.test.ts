import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildClassifier, disposeRunModel, type RunConfig, runProbabilities } from './run-model.js';

const config: RunConfig = {
  format: 'topk-run',
  version: 1,
  backbone: 'simple-cnn',
  backboneOptions: { channels: [4, 8] },
  head: {},
  size: [8, 8],
  channels: 1,
  classes: ['a', 'b', 'c'],
  multiLabel: false,
  mean: [0.5],
  std: [0.25],
  seed: 1,
  loss: 'ce',
};

describe('runProbabilities and disposeRunModel', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('predicts rows of probabilities and frees the model with its inference plan', async () => {
    const before = tf.memory().numTensors;
    const classifier = await buildClassifier(config);
    const probabilities = await runProbabilities(classifier, config);
    const x = tf.zeros([2, 8, 8, 1]) as tf.Tensor4D;
    const rows = await probabilities(x);
    x.dispose();
    expect(rows).toHaveLength(6);
    expect(rows[0]! + rows[1]! + rows[2]!).toBeCloseTo(1, 5);
    // The plan's folded weights are tensors of their own: disposing of the model alone would leave them.
    expect(tf.memory().numTensors).toBeGreaterThan(before + classifier.model.weights.length);
    disposeRunModel(classifier.model);
    expect(tf.memory().numTensors).toBe(before);
  });
});
