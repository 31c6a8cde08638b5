import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkGradient } from './check-gradient.js';
import { batchNormTraining, registerFastBatchNorm, unregisterFastBatchNorm } from './fast-batch-norm.js';
import { fixedValues as values } from './fixed-values.js';
import { selectBackend } from './select-backend.js';
import { registerTrainingKernels } from './training-kernels.js';

const t = (shape: number[], seed: number, low = -1, high = 1) =>
  tf.tensor(
    values(
      shape.reduce((a, b) => a * b, 1),
      seed,
      low,
      high,
    ),
    shape,
  );

/** conv → BN → dense, with seeded weights; BN momentum 0.9 so one step moves the moving statistics. */
function buildModel(bnOptions: { axis?: number; scale?: boolean } = {}): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [5, 3, 2], filters: 6, kernelSize: 3, padding: 'same' }),
      tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3, ...bnOptions }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 4 }),
    ],
  });
  let seed = 1;
  for (const layer of model.layers) {
    const weights = layer.weights.map((w) => {
      const positive = /gamma|moving_variance/.test(w.originalName);
      return t(w.shape as number[], seed++, positive ? 0.5 : -0.5, positive ? 1.5 : 0.5);
    });
    layer.setWeights(weights);
    tf.dispose(weights);
  }
  return model;
}

interface StepResult {
  readonly loss: number;
  readonly grads: number[][];
  readonly moving: number[][];
}

/** One forward/backward pass in training mode: the loss, every trainable weight's gradient, moving stats. */
function trainingPass(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor): StepResult {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(
    () => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
    vars,
  );
  const result = {
    loss: value.dataSync()[0]!,
    grads: vars.map((v) => Array.from(grads[v.name]!.dataSync())),
    moving: model.layers[1]!.weights.filter((w) => w.originalName.includes('moving')).map((w) =>
      Array.from(w.read().dataSync()),
    ),
  };
  tf.dispose([value, ...Object.values(grads)]);
  return result;
}

async function kernelsRun(f: () => tf.Tensor): Promise<string[]> {
  const info = await tf.profile(f);
  tf.dispose(info.result as tf.Tensor);
  return info.kernels.map((k) => k.name);
}

/** The same pass with tfjs-layers' own BatchNormalization and with topk's, on fresh identical models. */
function stockAndFast(bnOptions: { axis?: number; scale?: boolean } = {}) {
  const x = t([4, 5, 3, 2], 50);
  const y = t([4, 4], 51);
  unregisterFastBatchNorm();
  const stock = trainingPass(buildModel(bnOptions), x, y);
  registerFastBatchNorm();
  const fast = trainingPass(buildModel(bnOptions), x, y);
  tf.dispose([x, y]);
  return { stock, fast };
}

function expectClose(actual: readonly number[], expected: readonly number[], digits = 5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) expect(actual[i]).toBeCloseTo(expected[i]!, digits);
}

describe('fast batch-norm training', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    registerTrainingKernels('cpu');
  });
  afterAll(() => {
    registerFastBatchNorm();
  });

  it('gives the gradients of the batch-norm formula (finite differences)', () => {
    const x = t([3, 2, 2, 5], 7, -2, 2);
    const gamma = t([5], 8, 0.5, 1.5);
    const beta = t([5], 9);
    // A non-symmetric function of the output, so that every term of the gradient matters.
    const weights = t([3, 2, 2, 5], 10);
    checkGradient(
      (xs, g, b) =>
        tf.tidy(() => {
          const [y] = batchNormTraining(xs!, g!, b!, 1e-3);
          return tf.sum(tf.mul(tf.square(y), weights));
        }),
      [x, gamma, beta],
      { rtol: 2e-2, atol: 2e-3 },
    );
    tf.dispose([x, gamma, beta, weights]);
  });

  it('returns the batch mean and biased variance (numpy: x.mean(0), x.var(0))', () => {
    // Channel 0 holds 1, 2, 3, 6; channel 1 holds −1, 0, 1, 4.
    const x = tf.tensor4d([1, -1, 2, 0, 3, 1, 6, 4], [2, 2, 1, 2]);
    const [y, mean, variance] = batchNormTraining(x, tf.ones([2]), tf.zeros([2]), 0);
    expectClose(Array.from(mean.dataSync()), [3, 1]);
    expectClose(Array.from(variance.dataSync()), [3.5, 3.5]);
    expectClose(Array.from(y.dataSync()).slice(0, 2), [-2 / Math.sqrt(3.5), -2 / Math.sqrt(3.5)]);
    tf.dispose([x, y, mean, variance]);
  });

  it('trains a layers model exactly as tfjs-layers does: loss, gradients, moving statistics', async () => {
    const { stock, fast } = stockAndFast();
    expect(fast.loss).toBeCloseTo(stock.loss, 5);
    stock.grads.forEach((g, i) => {
      expectClose(fast.grads[i]!, g, 4);
    });
    stock.moving.forEach((m, i) => {
      expectClose(fast.moving[i]!, m, 5);
    });
    const model = buildModel();
    const x = t([4, 5, 3, 2], 50);
    const kernels = await kernelsRun(() => model.apply(x, { training: true }) as tf.Tensor);
    expect(kernels).toContain('TopkBatchNormMoments');
    tf.dispose(x);
  });

  it('trains layers without scale or center, which tfjs-layers 4.22 cannot', () => {
    // Channel 0 holds 1, 2, 3, 6 (mean 3, variance 3.5): y = (x − 3)/√3.5.
    const layer = tfl.layers.batchNormalization({ scale: false, center: false, epsilon: 0, momentum: 0.5 });
    const x = tf.tensor4d([1, 2, 3, 6], [4, 1, 1, 1]);
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    expectClose(
      Array.from(y.dataSync()),
      [1, 2, 3, 6].map((v) => (v - 3) / Math.sqrt(3.5)),
    );
    // Moving averages with momentum 0.5 from mean 0 and variance 1.
    const [movingMean, movingVariance] = layer.getWeights();
    expectClose(Array.from(movingMean!.dataSync()), [1.5]);
    expectClose(Array.from(movingVariance!.dataSync()), [2.25]);
    tf.dispose([x, y]);
  });

  it('leaves other axes and inference to tfjs-layers', async () => {
    const x = t([4, 5, 3, 2], 50);
    const model = buildModel({ axis: 1 });
    const other = await kernelsRun(() => model.apply(x, { training: true }) as tf.Tensor);
    expect(other).not.toContain('TopkBatchNormMoments');
    const inference = await kernelsRun(() => buildModel().apply(x, { training: false }) as tf.Tensor);
    expect(inference).not.toContain('TopkBatchNormMoments');
    tf.dispose(x);
  });

  it('keeps tensor counts flat over training passes', () => {
    const model = buildModel();
    const x = t([4, 5, 3, 2], 50);
    const y = t([4, 4], 51);
    trainingPass(model, x, y);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) trainingPass(model, x, y);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
  });

  it('matches tfjs-layers on wasm with the SIMD kernels', async () => {
    await selectBackend({ backend: 'wasm' });
    const { stock, fast } = stockAndFast();
    expect(fast.loss).toBeCloseTo(stock.loss, 5);
    stock.grads.forEach((g, i) => {
      expectClose(fast.grads[i]!, g, 4);
    });
    stock.moving.forEach((m, i) => {
      expectClose(fast.moving[i]!, m, 5);
    });
    await tf.setBackend('cpu');
  });
});
