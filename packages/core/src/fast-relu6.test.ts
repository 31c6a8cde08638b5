import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerFastGradients } from './fast-gradients.js';
import { registerFastRelu6, unregisterFastRelu6 } from './fast-relu6.js';
import { selectBackend } from './select-backend.js';
import { registerTrainingKernels } from './training-kernels.js';

// Both sides of every kink: below 0, exactly 0, inside, exactly 6, above 6.
const X = [-3, -1e-7, 0, 1e-7, 0.5, 2, 5.999, 6, 6.001, 9, -0.25, 3];
const DY = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

async function pass(maxValue: number) {
  const layer = tfl.layers.reLU({ maxValue });
  const x = tf.tensor4d(X, [1, 3, 4, 1]);
  const dy = tf.tensor4d(DY, [1, 3, 4, 1]);
  const profile = await tf.profile(() => layer.apply(x) as tf.Tensor);
  const y = profile.result as tf.Tensor;
  const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, dy)))(x);
  const result = { y: Array.from(y.dataSync()), dx: Array.from(dx.dataSync()), kernels: profile.kernelNames };
  tf.dispose([x, dy, y, dx]);
  return result;
}

async function stockAndFast(maxValue = 6) {
  unregisterFastRelu6();
  const stock = await pass(maxValue);
  registerFastRelu6();
  const fast = await pass(maxValue);
  return { stock, fast };
}

describe('fast ReLU6', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    registerTrainingKernels('cpu');
    registerFastGradients();
  });
  afterAll(async () => {
    registerFastRelu6();
    await tf.setBackend('cpu');
  });

  it('runs one Relu6 op with the values and gradient of relu then clipByValue', async () => {
    const { stock, fast } = await stockAndFast();
    expect(stock.kernels).toEqual(expect.arrayContaining(['Relu', 'ClipByValue']));
    expect(fast.kernels).toContain('Relu6');
    expect(fast.kernels).not.toContain('ClipByValue');
    expect(fast.y).toEqual(stock.y);
    // The reference: min(max(x, 0), 6), and dy where 0 < x ≤ 6.
    expect(fast.y).toEqual(X.map((v) => Math.fround(Math.min(Math.max(v, 0), 6))));
    expect(fast.dx).toEqual(X.map((v, i) => (v > 0 && v <= 6 ? DY[i] : 0)));
    expect(fast.dx).toEqual(stock.dx);
  });

  it('leaves other max values to tfjs-layers', async () => {
    const { stock, fast } = await stockAndFast(4);
    expect(fast.kernels).toContain('ClipByValue');
    expect(fast.y).toEqual(stock.y);
    expect(fast.dx).toEqual(stock.dx);
  });

  it('is exact on wasm too', async () => {
    await selectBackend({ backend: 'wasm' });
    const { stock, fast } = await stockAndFast();
    expect(fast.y).toEqual(stock.y);
    expect(fast.dx).toEqual(stock.dx);
    expect(fast.dx).toEqual(X.map((v, i) => (v > 0 && v <= 6 ? DY[i] : 0)));
  });
});
