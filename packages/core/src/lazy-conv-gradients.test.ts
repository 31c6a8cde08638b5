import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedValues as values } from './fixed-values.js';
import { registerLazyConvGradients, unregisterLazyConvGradients } from './lazy-conv-gradients.js';
import { selectBackend } from './select-backend.js';

const t = (shape: number[], seed: number) =>
  tf.tensor(
    values(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );

function expectClose(actual: readonly number[], expected: readonly number[], digits: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) expect(actual[i]).toBeCloseTo(expected[i]!, digits);
}

/** A linear stride-2 conv with bias (the first layer), a linear conv without bias, then a dense head. */
function buildModel(): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [7, 6, 3], filters: 4, kernelSize: 3, strides: 2, padding: 'same' }),
      tfl.layers.conv2d({ filters: 5, kernelSize: 2, padding: 'valid', useBias: false, dilationRate: 1 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 3 }),
    ],
  });
  let seed = 3;
  for (const layer of model.layers) {
    const weights = layer.weights.map((w) => t(w.shape as number[], seed++));
    layer.setWeights(weights);
    tf.dispose(weights);
  }
  return model;
}

async function step(model: tfl.LayersModel) {
  const x = t([2, 7, 6, 3], 40);
  const y = t([2, 3], 41);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const loss = () =>
    tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
  const profile = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(loss, vars);
    tf.dispose(Object.values(grads));
    return value;
  });
  tf.dispose(profile.result as tf.Tensor);
  const { value, grads } = tf.variableGrads(loss, vars);
  const result = {
    loss: value.dataSync()[0]!,
    grads: vars.map((v) => Array.from(grads[v.name]!.dataSync())),
    backpropInputs: profile.kernels.filter((k) => k.name === 'Conv2DBackpropInput').length,
  };
  tf.dispose([x, y, value, ...Object.values(grads)]);
  return result;
}

async function compare() {
  unregisterLazyConvGradients();
  const stock = await step(buildModel());
  registerLazyConvGradients();
  const lazy = await step(buildModel());
  return { stock, lazy };
}

describe('lazy Conv2D gradients', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(async () => {
    registerLazyConvGradients();
    await tf.setBackend('cpu');
  });

  it('skips the first layer input gradient and gives tfjs-layers gradients', async () => {
    const { stock, lazy } = await compare();
    // tfjs-layers computes both convolutions' input gradients; only the second one's is needed.
    expect(stock.backpropInputs).toBe(2);
    expect(lazy.backpropInputs).toBe(1);
    expect(lazy.loss).toBeCloseTo(stock.loss, 6);
    expectClose(lazy.grads.flat(), stock.grads.flat(), 5);
  });

  it('leaves inference, non-linear activations and a repeated registration alone', () => {
    expect(registerLazyConvGradients()).toBe(true);
    const model = tfl.sequential({
      layers: [tfl.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 3, activation: 'relu' })],
    });
    const x = t([1, 4, 4, 1], 5);
    const before = tf.memory().numTensors;
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 2, 2, 2]);
    tf.dispose(y);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
  });

  it('gives the same gradients on wasm', async () => {
    await selectBackend({ backend: 'wasm' });
    const { stock, lazy } = await compare();
    expect(lazy.backpropInputs).toBe(1);
    expect(lazy.loss).toBeCloseTo(stock.loss, 5);
    expectClose(lazy.grads.flat(), stock.grads.flat(), 4);
  });
});
