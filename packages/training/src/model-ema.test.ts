import { selectBackend } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { arrayBatches } from './array-batches.js';
import type { Callback } from './callback.js';
import { Learner } from './learner.js';
import { modelEma } from './model-ema.js';
import { sgd } from './sgd.js';
import { expectInvalid, learnableData, tinyCnn, tinyMlp, weightsOf } from './test-helpers.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
});

describe('modelEma', () => {
  it('averages the weights after every step: ema ← d·ema + (1 − d)·w, starting from the initial weights', async () => {
    const { images, labels } = learnableData(24, 4, 3, 9);
    const learner = new Learner({
      model: tinyMlp(),
      train: arrayBatches(images, labels, [4], { batchSize: 8 }),
      optimizer: sgd({ learningRate: 0.2 }),
    });
    const decay = 0.8;
    let expected = weightsOf(learner.model).map((w) => Array.from(w, Number));
    const tracker: Callback = {
      name: 'tracker',
      order: -20,
      onBatchEnd: ({ stepped }) => {
        if (!stepped) return;
        const w = weightsOf(learner.model);
        expected = expected.map((e, i) => e.map((v, j) => decay * v + (1 - decay) * w[i]![j]!));
      },
    };
    const ema = modelEma({ decay, applyAtEnd: true, evaluate: false });
    await learner.fit(2, { callbacks: [tracker, ema] });
    expect(ema.updates).toBe(6);
    weightsOf(learner.model).forEach((w, i) => {
      w.forEach((v, j) => {
        expect(v).toBeCloseTo(expected[i]![j]!, 5);
      });
    });
    learner.model.dispose();
  });

  it('warms the decay up as min(decay, (1 + n) / (10 + n))', () => {
    const ema = modelEma({ decay: 0.999, warmup: true });
    expect(ema.currentDecay()).toBeCloseTo(0.1, 12);
    ema.setState({ json: { updates: 90 } });
    expect(ema.currentDecay()).toBeCloseTo(91 / 100, 12);
    ema.setState({ json: { updates: 1e6 } });
    expect(ema.currentDecay()).toBe(0.999);
  });

  it('evaluates with the averaged weights into ema_ logs, leaving the trained weights in place', async () => {
    const { images, labels } = learnableData(32, 16, 3, 10);
    const data = arrayBatches(images, labels, [4, 4, 1], { batchSize: 8 });
    const learner = new Learner({ model: tinyCnn(), train: data, valid: data });
    const ema = modelEma({ decay: 0.5 });
    let trained: Float32Array[] = [];
    const { history } = await learner.fit(2, {
      callbacks: [
        ema,
        {
          name: 'grab',
          order: 50,
          onEpochEnd: () => {
            trained = weightsOf(learner.model);
          },
        },
      ],
    });
    expect(history[1]!.ema_valid_loss).toBeDefined();
    expect(history[1]!.ema_valid_accuracy).toBeDefined();
    expect(history[1]!.ema_valid_loss).not.toBe(history[1]!.valid_loss);
    // applyAtEnd is off: the model keeps its trained weights after the EMA evaluation.
    expect(weightsOf(learner.model)).toEqual(trained);
    learner.model.dispose();
  });

  it('rejects bad options', () => {
    expectInvalid(() => modelEma({ decay: 1 }), 'modelEma', 'decay');
    expectInvalid(() => modelEma({ prefix: '' }), 'modelEma', 'prefix');
  });
});
