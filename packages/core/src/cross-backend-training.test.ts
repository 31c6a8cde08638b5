import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { BackendError } from './errors.js';
import { fixedValues } from './fixed-values.js';
import { type BackendName, selectBackend } from './select-backend.js';

// A small net touching every training kernel topk supplies: plain and strided convolutions, depthwise
// convolution, batch-norm in training mode, max and average pooling, bilinear upsampling, dense.
function buildNet(): tfl.LayersModel {
  const input = tfl.input({ shape: [12, 10, 3] });
  let x = tfl.layers
    .conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' })
    .apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers
    .depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2 })
    .apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU({ maxValue: 6 }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers
    .conv2d({ filters: 12, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' })
    .apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.averagePooling2d({ poolSize: 2, padding: 'same' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 5 }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

const lcg = (n: number, seed: number, scale: number) => fixedValues(n, seed, -scale / 2, scale / 2);

async function threeAdamSteps(backend: BackendName, initial: Float32Array[] | undefined) {
  await selectBackend({ backend });
  const model = buildNet();
  const weights = initial ?? model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.setWeights(weights.map((w, i) => tf.tensor(w, model.getWeights()[i]!.shape)));
  const optimizer = tf.train.adam(0.01);
  const x = tf.tensor4d(lcg(6 * 12 * 10 * 3, 7, 2), [6, 12, 10, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0], 'int32'), 5);
  const before = tf.memory().numTensors;
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      true,
    )!;
    losses.push(loss.dataSync()[0]!);
    loss.dispose();
  }
  // Adam creates its moment variables on the first step; after that the count must stay flat.
  const afterFirst = tf.memory().numTensors;
  const loss = optimizer.minimize(
    () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
    true,
  )!;
  loss.dispose();
  expect(tf.memory().numTensors).toBe(afterFirst);
  expect(afterFirst).toBeGreaterThanOrEqual(before);
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return { losses, weights };
}

describe('training across backends', () => {
  let reference: { losses: number[]; weights: Float32Array[] } | undefined;
  const cpuReference = async () => {
    reference ??= await threeAdamSteps('cpu', undefined);
    return reference;
  };

  it('learns on the cpu reference', async () => {
    const { losses } = await cpuReference();
    expect(losses[2]).toBeLessThan(losses[0]!);
  });

  // Every backend that can be activated here; those not installed (tfjs-node, webgpu) are skipped.
  it.for(['wasm', 'webgpu', 'tensorflow', 'tensorflow-gpu'] as const)(
    'trains to the cpu losses on %s (3 Adam steps, 1e-4 relative)',
    async (backend, context) => {
      const want = await cpuReference();
      try {
        await selectBackend({ backend });
      } catch (error) {
        if (error instanceof BackendError) return context.skip(error.message);
        throw error;
      }
      const got = await threeAdamSteps(backend, want.weights);
      got.losses.forEach((loss, i) => {
        const expected = want.losses[i]!;
        expect(Math.abs(loss - expected) / Math.abs(expected)).toBeLessThan(1e-4);
      });
    },
  );
});
