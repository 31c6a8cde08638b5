import { selectBackend } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { arrayBatches } from './array-batches.js';
import type { Callback } from './callback.js';
import { Learner } from './learner.js';
import { oneCycle } from './one-cycle.js';
import { sgd } from './sgd.js';
import { sgdr } from './sgdr.js';
import { learnableData, tinyCnn, weightsOf } from './test-helpers.js';
import type { Model } from './types.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
});

/** 24 samples in batches of 8: 3 steps per epoch. */
function makeLearner(model: Model = tinyCnn()) {
  const { images, labels } = learnableData(24, 16, 3, 11);
  return new Learner({
    model,
    train: arrayBatches(images, labels, [4, 4, 1], { batchSize: 8, shuffle: true, seed: 11 }),
    optimizer: sgd({ learningRate: 0.1, momentum: 0.9 }),
  });
}

interface Trace {
  lrs: number[];
  trainable: string[][];
  multipliers: Map<string, number>[];
}

function tracer(learner: Learner): { trace: Trace; callback: Callback } {
  const trace: Trace = { lrs: [], trainable: [], multipliers: [] };
  return {
    trace,
    callback: {
      name: 'tracer',
      onBatchEnd: ({ logs }) => void trace.lrs.push(logs.lr!),
      onEpochEnd: () => {
        trace.trainable.push(learner.trainableVariables().map((v) => v.name.split('/').at(-1)!));
        trace.multipliers.push(new Map(learner.optimizer.lrMultipliers));
      },
    },
  };
}

describe('Learner recipes', () => {
  it('fitOneCycle runs one-cycle over every step of the fit', async () => {
    const learner = makeLearner();
    const { trace, callback } = tracer(learner);
    await learner.fitOneCycle(2, 0.05, { pctStart: 0.5, callbacks: [callback] });
    const schedule = oneCycle({ maxLr: 0.05, totalSteps: 6, pctStart: 0.5 });
    expect(trace.lrs).toEqual([0, 1, 2, 3, 4, 5].map(schedule));
    learner.model.dispose();
  });

  it('fitSgdr restarts each cycle and runs cycleLength·(1 + mult + …) epochs', async () => {
    const learner = makeLearner();
    const { trace, callback } = tracer(learner);
    const result = await learner.fitSgdr(2, {
      maxLr: 0.05,
      cycleLength: 1,
      cycleMult: 2,
      callbacks: [callback],
    });
    expect(result.epochs).toBe(3);
    const schedule = sgdr({ maxLr: 0.05, cycleSteps: 3, cycleMult: 2 });
    expect(trace.lrs).toEqual(Array.from({ length: 9 }, (_, s) => schedule(s)));
    expect(trace.lrs[3]).toBe(0.05);
    learner.model.dispose();
  });

  it('fineTune trains the head (and batch-norm) first, then everything with discriminative rates', async () => {
    const learner = makeLearner();
    const { trace, callback } = tracer(learner);
    const conv = () => weightsOf(learner.model)[0]!;
    const initialConv = conv();
    let afterFrozen: Float32Array | undefined;
    const grab: Callback = {
      name: 'grab',
      onEpochEnd: ({ epoch }) => {
        if (epoch === 0) afterFrozen = conv();
      },
    };
    const result = await learner.fineTune(1, {
      freezeEpochs: 1,
      baseLr: 0.02,
      lrMult: 100,
      callbacks: [callback, grab],
    });
    expect(result.epochs).toBe(2);
    // Epoch 0: head (dense) and batch-norm γ/β only; the convolution did not move.
    expect(trace.trainable[0]).toEqual(['gamma', 'beta', 'kernel', 'bias']);
    expect(afterFrozen).toEqual(initialConv);
    expect(trace.multipliers[0]!.size).toBe(0);
    // Epoch 1: all six, body at 1/100 of the head's rate.
    expect(trace.trainable[1]).toHaveLength(6);
    expect(conv()).not.toEqual(initialConv);
    const multipliers = trace.multipliers[1]!;
    const convKernel = learner.model.layers[0]!.weights[0]!.name;
    const denseKernel = learner.model.layers[4]!.weights[0]!.name;
    expect(multipliers.get(convKernel)).toBeCloseTo(0.01, 12);
    expect(multipliers.get(denseKernel)).toBe(1);
    // fastai's schedules: one-cycle at baseLr (pct 0.99) frozen, then at baseLr / 2 (div 5, pct 0.3).
    const frozen = oneCycle({ maxLr: 0.02, totalSteps: 3, pctStart: 0.99 });
    const unfrozen = oneCycle({ maxLr: 0.01, totalSteps: 3, pctStart: 0.3, divFactor: 5 });
    expect(trace.lrs).toEqual([frozen(0), frozen(1), frozen(2), unfrozen(0), unfrozen(1), unfrozen(2)]);
    // Afterwards the model is unfrozen and the multipliers are cleared.
    expect(learner.optimizer.lrMultipliers.size).toBe(0);
    expect(learner.trainableVariables()).toHaveLength(6);
    learner.model.dispose();
  });

  it('fitGradualUnfreeze unfreezes one more group per epoch from the head down', async () => {
    const learner = makeLearner();
    const { trace, callback } = tracer(learner);
    const [conv, bn, , , dense] = learner.model.layers;
    await learner.fitGradualUnfreeze(3, 0.05, {
      layerGroups: [[conv!], [bn!], [dense!]],
      trainBatchNorm: false,
      lrMult: 4,
      callbacks: [callback],
    });
    expect(trace.trainable).toEqual([
      ['kernel', 'bias'],
      ['gamma', 'beta', 'kernel', 'bias'],
      ['kernel', 'bias', 'gamma', 'beta', 'kernel', 'bias'],
    ]);
    // Groups at 1/4, 1/2, 1 of the rate.
    expect(trace.multipliers[2]!.get(conv!.weights[0]!.name)).toBeCloseTo(0.25, 12);
    expect(trace.multipliers[2]!.get(bn!.weights[0]!.name)).toBeCloseTo(0.5, 12);
    learner.model.dispose();
  });

  it('takes layer groups from a function and checks them', async () => {
    const learner = makeLearner();
    await expect(learner.fineTune(1, { layerGroups: () => [] })).rejects.toThrow(/layerGroups must be/);
    await expect(learner.fineTune(1, { layerGroups: [[{} as never]] })).rejects.toThrow(
      /layerGroups\[0\]\[0\]/,
    );
    const groups = (m: Model) => [m.layers.slice(0, 4), m.layers.slice(4)];
    expect((await learner.fineTune(1, { freezeEpochs: 0, layerGroups: groups })).epochs).toBe(1);
    learner.model.dispose();
  });
});
