import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Rng, selectBackend, TopkError } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { arrayBatches } from './array-batches.js';
import type { Callback, CallbackContext } from './callback.js';
import { constant } from './constant.js';
import { Learner, microF1 } from './learner.js';
import { sgd } from './sgd.js';
import { softmaxCrossEntropy } from './softmax-cross-entropy.js';
import {
  expectInvalid,
  expectInvalidAsync,
  lcg,
  learnableData,
  seeded,
  tinyCnn,
  tinyMlp,
  values,
  weightsOf,
} from './test-helpers.js';
import type { Batch, MetricLoss } from './types.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
});

const cnnData = (n: number, seed: number) => learnableData(n, 16, 3, seed);

function record(events: string[], name: string, order?: number): Callback {
  const push = (event: string) => (ctx: CallbackContext) => {
    events.push(`${name}:${event}:${ctx.epoch}:${ctx.batch}`);
  };
  return {
    name,
    ...(order === undefined ? {} : { order }),
    onTrainBegin: push('trainBegin'),
    onEpochBegin: push('epochBegin'),
    onBatchEnd: push('batchEnd'),
    onEpochEnd: push('epochEnd'),
    onTrainEnd: push('trainEnd'),
  };
}

describe('Learner', () => {
  it('trains a batch-norm CNN: the loss falls and accuracy rises', async () => {
    const { images, labels } = cnnData(96, 1);
    const learner = new Learner({
      model: tinyCnn(),
      train: arrayBatches(images, labels, [4, 4, 1], { batchSize: 16, shuffle: true, seed: 1 }),
      valid: arrayBatches(images, labels, [4, 4, 1], { batchSize: 48 }),
      optimizer: sgd({ learningRate: 0.2, momentum: 0.9 }),
    });
    const before = await learner.evaluate();
    const { history, epochs, steps } = await learner.fit(6);
    expect(epochs).toBe(6);
    expect(steps).toBe(36);
    expect(history[5]!.loss).toBeLessThan(history[0]!.loss! * 0.8);
    expect(history[5]!.valid_loss).toBeLessThan(before.loss);
    expect(history[5]!.valid_accuracy).toBeGreaterThan(0.6);
    expect(learner.task).toBe('single-label');
    learner.model.dispose();
    learner.optimizer.dispose();
  });

  it('keeps the tensor count flat across epochs (accumulation, clipping, validation, callbacks)', async () => {
    const { images, labels } = cnnData(40, 2);
    const counts: number[] = [];
    const learner = new Learner({
      model: tinyCnn(),
      train: arrayBatches(images, labels, [4, 4, 1], { batchSize: 8, shuffle: true, seed: 2 }),
      valid: arrayBatches(images, labels, [4, 4, 1], { batchSize: 16 }),
      accumulateSteps: 2,
      clipNorm: 1,
    });
    await learner.fit(1); // creates the optimizer's buffers
    const baseline = tf.memory().numTensors;
    const accumulating: number[] = [];
    const counter: Callback = {
      name: 'counter',
      onBatchEnd: ({ stepped }) => {
        (stepped ? counts : accumulating).push(tf.memory().numTensors);
      },
      onEpochEnd: () => {
        counts.push(tf.memory().numTensors);
      },
    };
    await learner.fit(3, { callbacks: [counter] });
    // 5 batches per epoch, a step every 2: steps after batches 2 and 4, the tail's at the epoch end.
    expect(counts).toHaveLength(3 * 3);
    expect(new Set(counts)).toEqual(new Set([baseline]));
    // Mid-window, the running gradient sums (one per trainable variable, 6) are all that is held.
    expect(new Set(accumulating)).toEqual(new Set([baseline + 6]));
    expect(tf.memory().numTensors).toBe(baseline);
    learner.model.dispose();
    learner.optimizer.dispose();
  });

  it('runs batch-norm in training mode during fit and in inference mode in evaluate and predict', async () => {
    const { images, labels } = cnnData(16, 3);
    const train = arrayBatches(images, labels, [4, 4, 1], { batchSize: 16 });
    // Twin models from the same seeds: one computes the expected training-mode loss by hand.
    const twin = tinyCnn({ seed: 5 });
    const batch = [...(train(0, new Rng(0)) as Iterable<Batch>)][0]!;
    const handLoss = tf.tidy(
      () =>
        softmaxCrossEntropy()(
          batch.labels!,
          twin.apply(batch.images, { training: true }) as tf.Tensor,
        ).dataSync()[0]!,
    );
    const firstLosses: number[] = [];
    const learner = new Learner({
      model: tinyCnn({ seed: 5 }),
      train,
      optimizer: sgd({ learningRate: 0.1 }),
    });
    const movingMean = () =>
      values(learner.model.layers[1]!.weights.find((w) => w.name.includes('moving_mean'))!.read());
    expect(movingMean()).toEqual([0, 0, 0, 0]);
    await learner.fit(1, {
      callbacks: [{ name: 'first', onBatchEnd: ({ logs }) => void firstLosses.push(logs.loss!) }],
    });
    expect(firstLosses[0]).toBeCloseTo(handLoss, 5);
    // Training mode updated the moving statistics.
    const trained = movingMean();
    expect(trained.some((v) => v !== 0)).toBe(true);
    // Inference: equals the loss of model.predict by hand, and leaves the statistics alone.
    const result = await learner.evaluate(train);
    const want = tf.tidy(
      () =>
        softmaxCrossEntropy()(batch.labels!, learner.model.predict(batch.images) as tf.Tensor).dataSync()[0]!,
    );
    expect(result.loss).toBeCloseTo(want, 5);
    expect(result.count).toBe(16);
    expect(movingMean()).toEqual(trained);
    const predictions = await learner.predict(train);
    expect(predictions.rows).toBe(16);
    expect(predictions.columns).toBe(3);
    const probs = tf.tidy(() => tf.softmax(learner.model.predict(batch.images) as tf.Tensor).dataSync());
    Array.from(probs).forEach((p, i) => {
      expect(predictions.values[i]).toBeCloseTo(p, 6);
    });
    tf.dispose([batch.images, batch.labels!]);
    twin.dispose();
    learner.model.dispose();
  });

  it('accumulates gradients: 2 batches of 4 then one step equals one step on the batch of 8', async () => {
    const images = lcg(8 * 4, 11, 2);
    const labels = Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1]);
    const run = async (batchSize: number, accumulateSteps: number) => {
      const learner = new Learner({
        model: tinyMlp({ seed: 3 }),
        train: arrayBatches(images, labels, [4], { batchSize }),
        optimizer: sgd({ learningRate: 0.5, momentum: 0.9 }),
        accumulateSteps,
      });
      const { steps } = await learner.fit(2);
      const weights = weightsOf(learner.model);
      learner.model.dispose();
      return { steps, weights };
    };
    const accumulated = await run(4, 2);
    const full = await run(8, 1);
    expect(accumulated.steps).toBe(2);
    expect(full.steps).toBe(2);
    accumulated.weights.forEach((w, i) => {
      Array.from(w).forEach((v, j) => {
        expect(v).toBeCloseTo(full.weights[i]![j]!, 5);
      });
    });
    // An epoch that does not fill the window still steps on what it has: 3 batches of 3 with k = 2.
    const learner = new Learner({
      model: tinyMlp(),
      train: arrayBatches(images.subarray(0, 9 * 4 - 4), labels.subarray(0, 8), [4], { batchSize: 3 }),
      accumulateSteps: 2,
    });
    expect((await learner.fit(1)).steps).toBe(2);
    learner.model.dispose();
  });

  it('clips the global gradient norm before the step', async () => {
    const images = lcg(8 * 4, 12, 20);
    const labels = Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1]);
    const learner = new Learner({
      model: tinyMlp({ seed: 4 }),
      train: arrayBatches(images, labels, [4], { batchSize: 8 }),
      optimizer: sgd({ learningRate: 1 }),
      clipNorm: 1e-3,
    });
    const before = weightsOf(learner.model);
    await learner.fit(1);
    const after = weightsOf(learner.model);
    // Plain SGD with lr 1: the weights move by exactly the clipped gradient, of global norm 1e-3.
    let squares = 0;
    after.forEach((w, i) => {
      w.forEach((v, j) => {
        squares += (v - before[i]![j]!) ** 2;
      });
    });
    expect(Math.sqrt(squares)).toBeCloseTo(1e-3, 5);
    learner.model.dispose();
  });

  it('sets the learning rate from the schedule at every optimizer step', async () => {
    const { images, labels } = learnableData(12, 4, 3, 5);
    const lrs: number[] = [];
    const learner = new Learner({
      model: tinyMlp(),
      train: arrayBatches(images, labels, [4], { batchSize: 4 }),
      callbacks: [{ name: 'lr', onBatchEnd: ({ logs }) => void lrs.push(logs.lr!) }],
    });
    await learner.fit(2, { schedule: (step) => 0.01 * (step + 1) });
    expect(lrs).toEqual([1, 2, 3, 4, 5, 6].map((k) => 0.01 * k));
    expect(learner.lastLr).toBeCloseTo(0.06, 12);
    learner.lrScale = 0.5;
    lrs.length = 0;
    await learner.fit(1, { schedule: constant(0.2) });
    expect(lrs).toEqual([0.1, 0.1, 0.1]);
    learner.model.dispose();
  });

  it('fires callbacks in ascending order, learner callbacks before fit callbacks on ties', async () => {
    const { images, labels } = learnableData(4, 4, 3, 6);
    const events: string[] = [];
    const learner = new Learner({
      model: tinyMlp(),
      train: arrayBatches(images, labels, [4], { batchSize: 2 }),
      callbacks: [record(events, 'b', 1), record(events, 'a')],
    });
    await learner.fit(1, { callbacks: [record(events, 'c'), record(events, 'first', -1)] });
    expect(events.filter((e) => e.includes('trainBegin'))).toEqual([
      'first:trainBegin:0:0',
      'a:trainBegin:0:0',
      'c:trainBegin:0:0',
      'b:trainBegin:0:0',
    ]);
    expect(events.filter((e) => e.startsWith('a:'))).toEqual([
      'a:trainBegin:0:0',
      'a:epochBegin:0:0',
      'a:batchEnd:0:1',
      'a:batchEnd:0:2',
      'a:epochEnd:0:2',
      'a:trainEnd:1:0',
    ]);
    learner.model.dispose();
  });

  it('stops when a callback asks', async () => {
    const { images, labels } = learnableData(8, 4, 3, 7);
    const learner = new Learner({
      model: tinyMlp(),
      train: arrayBatches(images, labels, [4], { batchSize: 2 }),
    });
    const stopper: Callback = {
      name: 'stopper',
      onBatchEnd: (ctx) => {
        if (ctx.batch === 3) ctx.learner.stop('enough');
      },
    };
    const result = await learner.fit(5, { callbacks: [stopper] });
    expect(result.stopReason).toBe('enough');
    expect(result.epochs).toBe(1);
    expect(result.steps).toBe(3);
    learner.model.dispose();
  });

  it('trains multi-label models with BCE and reports micro-F1 at 0.5', async () => {
    const images = lcg(16 * 4, 13, 2);
    // Class c present when input c is positive.
    const targets = Float32Array.from({ length: 16 * 3 }, (_, k) =>
      images[Math.floor(k / 3) * 4 + (k % 3)]! > 0 ? 1 : 0,
    );
    const data = arrayBatches(images, targets, [4], { batchSize: 8 });
    const learner = new Learner({
      model: tinyMlp({ seed: 8 }),
      train: data,
      valid: data,
      optimizer: sgd({ learningRate: 0.5 }),
    });
    const { history } = await learner.fit(8);
    expect(learner.task).toBe('multi-label');
    expect(history[7]!.f1).toBeDefined();
    const result = await learner.evaluate();
    const logits = tf.tidy(() => learner.model.predict(tf.tensor2d(images, [16, 4])) as tf.Tensor).dataSync();
    let tp = 0;
    let fp = 0;
    let fn = 0;
    logits.forEach((z, k) => {
      const p = z > 0 ? 1 : 0;
      const y = targets[k]!;
      tp += p * y;
      fp += p * (1 - y);
      fn += (1 - p) * y;
    });
    expect(result.f1).toBeCloseTo((2 * tp) / (2 * tp + fp + fn), 6);
    expect(result.f1).toBeGreaterThan(0.7);
    expect(result.accuracy).toBeUndefined();
    const predictions = await learner.predict(data);
    expect(predictions.values.every((p) => p > 0 && p < 1)).toBe(true);
    learner.model.dispose();
  });

  it('trains a metric-learning loss that owns variables together with the model', async () => {
    const { images, labels } = learnableData(24, 4, 3, 9);
    const init = seeded(20);
    const embedder = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [4], units: 6, kernelInitializer: init() })],
    });
    const centres = tf.variable(tf.tensor2d(lcg(6 * 3, 21, 1), [6, 3]), true, 'metric-centres');
    // A softmax over embedding·centres: the simplest loss with its own class centres.
    const metric: MetricLoss = {
      trainableVariables: [centres],
      logits: (embeddings) => tf.matMul(embeddings, centres),
      loss: (embeddings, targets) => softmaxCrossEntropy()(targets, tf.matMul(embeddings, centres)),
    };
    const learner = new Learner({
      model: embedder,
      loss: metric,
      train: arrayBatches(images, labels, [4], { batchSize: 8 }),
      valid: arrayBatches(images, labels, [4], { batchSize: 24 }),
      optimizer: sgd({ learningRate: 0.3 }),
    });
    expect(learner.task).toBe('metric');
    const before = values(centres);
    const { history } = await learner.fit(10);
    expect(values(centres)).not.toEqual(before);
    expect(history[9]!.valid_accuracy).toBeGreaterThan(history[0]!.valid_accuracy! - 1e-9);
    expect(history[9]!.loss).toBeLessThan(history[0]!.loss!);
    expect(learner.stateVariables().map((s) => s.key)).toEqual(['model/0', 'model/1', 'loss/0']);
    // ArcFace-style losses expose one `weights` variable instead.
    const arcLike = new Learner({
      model: embedder,
      loss: { weights: centres, loss: metric.loss },
      train: learner.train,
    });
    expect(arcLike.lossVariables()).toEqual([centres]);
    embedder.dispose();
    centres.dispose();
  });

  it('computes micro-F1 from counts', () => {
    expect(microF1(3, 1, 2)).toBeCloseTo(6 / 9, 12);
    expect(microF1(0, 0, 0)).toBe(1);
  });

  it('rejects bad options and data', async () => {
    const model = tinyMlp();
    const train = arrayBatches(lcg(8, 1), Int32Array.from([0, 1]), [4], { batchSize: 2 });
    const fn = 'new Learner';
    expectInvalid(() => new Learner({ model: {} as never, train }), fn, 'model');
    expectInvalid(() => new Learner({ model, train: [] as never }), fn, 'train');
    expectInvalid(() => new Learner({ model, train, valid: 3 as never }), fn, 'valid');
    expectInvalid(() => new Learner({ model, train, loss: 'ce' as never }), fn, 'loss');
    expectInvalid(() => new Learner({ model, train, task: 'regression' as never }), fn, 'task');
    expectInvalid(() => new Learner({ model, train, task: 'metric' }), fn, 'loss');
    expectInvalid(() => new Learner({ model, train, accumulateSteps: 0 }), fn, 'accumulateSteps');
    expectInvalid(() => new Learner({ model, train, clipNorm: -1 }), fn, 'clipNorm');
    const learner = new Learner({ model, train });
    await expectInvalidAsync(() => learner.fit(0), 'Learner.fit', 'epochs');
    await expectInvalidAsync(
      () => learner.fit(1, { schedule: () => Number.NaN }),
      'Learner.fit',
      'schedule(step)',
    );
    await expectInvalidAsync(() => learner.evaluate(), 'Learner.evaluate', 'data');
    const unlabelled = new Learner({ model, train: () => [{ images: tf.zeros([2, 4]) }] });
    await expectInvalidAsync(() => unlabelled.fit(1), 'Learner.fit', 'batch.labels');
    const streaming = new Learner({ model, train: () => [] });
    await expectInvalidAsync(
      () => streaming.fitOneCycle(1, 0.1),
      'Learner.fitOneCycle',
      'train.batchesPerEpoch',
    );
    const frozen = new Learner({ model, train });
    for (const layer of model.layers) layer.trainable = false;
    await expectInvalidAsync(() => frozen.fit(1), 'Learner.fit', 'model');
    for (const layer of model.layers) layer.trainable = true;
    // One fit at a time.
    let inner: Promise<unknown> | undefined;
    const busy = new Learner({
      model,
      train,
      callbacks: [
        {
          name: 'reenter',
          onTrainBegin: ({ learner: l }) => {
            inner = l.fit(1).catch((e) => e);
          },
        },
      ],
    });
    await busy.fit(1);
    expect(await inner).toBeInstanceOf(TopkError);
    model.dispose();
  });
});
